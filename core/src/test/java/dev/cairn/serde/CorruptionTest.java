package dev.cairn.serde;

import static dev.cairn.serde.RecordStreams.cut;
import static dev.cairn.serde.RecordStreams.read;
import static dev.cairn.serde.RecordStreams.serializer;
import static dev.cairn.serde.RecordStreams.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.CairnOptions;
import dev.cairn.serde.RecordStreams.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Damaged streams must fail with an IOException, never read back as fewer or wrong records. */
class CorruptionTest {

    private static List<Object> records(int n) {
        List<Object> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new Pair<>(i, "value-" + i));
        }
        return records;
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void streamCutInHalfFails(String name, Compression compression) throws IOException {
        Serializer serializer = serializer(name);
        byte[] whole = write(serializer, compression, records(1000));
        assertEquals(records(1000), read(serializer, compression, whole), "sanity: the whole stream reads");

        byte[] half = cut(whole, whole.length / 2);

        assertThrows(IOException.class, () -> read(serializer, compression, half));
    }

    /**
     * Every possible cut, including those exactly between two records and those that drop only the
     * end marker or the codec's trailer. Cuts between records are the case neither Kryo nor Java
     * serialization notices on its own; an empty compressed file is one zstd does not notice either.
     */
    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void everyTruncationFails(String name, Compression compression) throws IOException {
        Serializer serializer = serializer(name);
        byte[] whole = write(serializer, compression, records(5));

        for (int length = 0; length < whole.length; length++) {
            byte[] prefix = cut(whole, length);
            assertThrows(IOException.class, () -> read(serializer, compression, prefix),
                    "cut to " + length + " of " + whole.length + " bytes");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kryo", "java"})
    void uncompressedTruncationSaysWhereTheStreamEnded(String name) throws IOException {
        Serializer serializer = serializer(name);
        byte[] whole = write(serializer, Compression.NONE, records(3));

        // Drop the end marker and count: the stream now ends exactly after record 3. Kryo writes them
        // as 2 bytes (marker, var-length 3); Java serialization as an 11-byte block (tag, length,
        // marker, 8-byte long).
        byte[] withoutEnd = cut(whole, whole.length - (name.equals("kryo") ? 2 : 11));
        EOFException atBoundary = assertThrows(EOFException.class,
                () -> read(serializer, Compression.NONE, withoutEnd));
        assertTrue(atBoundary.getMessage().contains("after 3 records"), atBoundary.getMessage());
        assertTrue(atBoundary.getMessage().contains("truncated"), atBoundary.getMessage());

        // Cut inside a record.
        byte[] inside = cut(whole, whole.length / 2);
        IOException insideRecord = assertThrows(IOException.class, () -> read(serializer, Compression.NONE, inside));
        assertInstanceOf(EOFException.class, insideRecord, insideRecord.toString());
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void garbageBytesFail(String name, Compression compression) {
        byte[] garbage = new byte[4096];
        new Random(7).nextBytes(garbage);

        assertThrows(IOException.class, () -> read(serializer(name), compression, garbage));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kryo", "java"})
    void garbageAfterAValidHeaderFails(String name) throws IOException {
        // Everything an empty stream has before its end marker: the Cairn header plus the kryo options
        // fingerprint or the Java serialization header. Garbage after it reaches the record decoder.
        byte[] empty = write(serializer(name), Compression.NONE, List.of());
        byte[] prefix = cut(empty, empty.length - (name.equals("kryo") ? 2 : 11));
        for (int seed = 0; seed < 50; seed++) {
            byte[] bytes = new byte[512];
            new Random(seed).nextBytes(bytes);
            System.arraycopy(prefix, 0, bytes, 0, prefix.length);
            bytes[prefix.length] = StreamFormat.RECORD;
            int s = seed;
            assertThrows(IOException.class, () -> read(serializer(name), Compression.NONE, bytes), "seed " + s);
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void bytesAfterTheEndFail(String name, Compression compression) throws IOException {
        Serializer serializer = serializer(name);
        ByteArrayOutputStream twice = new ByteArrayOutputStream();
        twice.write(write(serializer, compression, records(2)));
        twice.write(write(serializer, compression, records(2)));

        assertThrows(IOException.class, () -> read(serializer, compression, twice.toByteArray()));
    }

    @Test
    void readingWithTheOtherSerializerNamesBothFormats() throws IOException {
        byte[] kryoBytes = write(serializer("kryo"), Compression.NONE, records(1));
        byte[] javaBytes = write(serializer("java"), Compression.NONE, records(1));

        StreamCorruptedException a = assertThrows(StreamCorruptedException.class,
                () -> read(serializer("java"), Compression.NONE, kryoBytes));
        StreamCorruptedException b = assertThrows(StreamCorruptedException.class,
                () -> read(serializer("kryo"), Compression.NONE, javaBytes));

        assertTrue(a.getMessage().contains("expected a java stream, found a kryo stream"), a.getMessage());
        assertTrue(b.getMessage().contains("expected a kryo stream, found a java stream"), b.getMessage());
    }

    @Test
    void compressedBytesReadWithoutDecompressionPointAtTheCompression() throws IOException {
        byte[] zstd = write(serializer("kryo"), Compression.ZSTD, records(10));

        StreamCorruptedException e = assertThrows(StreamCorruptedException.class,
                () -> read(serializer("kryo"), Compression.NONE, zstd));

        assertTrue(e.getMessage().contains("compression"), e.getMessage());
    }

    @Test
    void flippedByteInACompressedStreamFailsItsChecksum() throws IOException {
        // Without compression a flipped byte inside a value can decode to a wrong value: only the
        // codecs' checksums catch that, which is one reason to compress checkpoints.
        for (Compression c : List.of(Compression.LZ4, Compression.ZSTD)) {
            byte[] bytes = write(serializer("kryo"), c, IntStream.range(0, 5000).boxed().map(i -> (Object) ("v" + i)).toList());
            bytes[bytes.length / 2] ^= 0x01;
            assertThrows(IOException.class, () -> read(serializer("kryo"), c, bytes), c.id());
        }
    }

    @Test
    void aFailedReadIsStickyAndNamesTheRecord() throws IOException {
        Serializer serializer = new KryoSerializer(CairnOptions.empty());
        byte[] whole = write(serializer, Compression.NONE, records(100));
        byte[] half = cut(whole, whole.length / 2);

        try (RecordInput in = serializer.newInput(new ByteArrayInputStream(half))) {
            IOException first = assertThrows(IOException.class, () -> {
                while (in.hasNext()) {
                    in.next();
                }
            });
            assertTrue(first.getMessage().contains("record index"), first.getMessage());
            IOException again = assertThrows(IOException.class, in::hasNext);
            assertTrue(again.getCause() == first, "the later failure carries the first one");
        }
    }
}
