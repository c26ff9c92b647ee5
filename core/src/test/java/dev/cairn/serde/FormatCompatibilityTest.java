package dev.cairn.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.CairnOptions;
import dev.cairn.serde.RecordStreams.Pair;
import dev.cairn.serde.RecordStreams.Point;
import java.io.IOException;
import java.io.InputStream;
import java.io.StreamCorruptedException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streams written by earlier versions must still read. The resources were written by the
 * serializers as of commit 90a0be4: {@code java-v1.bin} in java format version 1 (a marker byte per
 * record, class descriptors repeated in every record), {@code kryo-v1.bin} with the hand-written
 * serializer for {@code dev.cairn.Pair} and Kryo's own record serializer for other records.
 */
class FormatCompatibilityTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = FormatCompatibilityTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void javaFormatVersion1StillReads() throws IOException {
        byte[] v1 = resource("java-v1.bin");
        assertEquals(1, v1[4], "sanity: a version 1 stream");

        List<Object> back = RecordStreams.read(new JavaSerializer(), Compression.NONE, v1);

        assertEquals(11, back.size());
        assertEquals(Arrays.asList("text", 42L, null, new Pair<>("k", 1), new Point(3, 4)), back.subList(0, 5));
        assertArrayEquals(new long[] {1, 2}, (long[]) back.get(5));
        assertEquals(List.of(List.of(1, 2), Thread.State.RUNNABLE), back.subList(6, 8));
        Pair<?, ?> pair = (Pair<?, ?>) back.get(8);
        assertEquals(7L, pair.key());
        assertArrayEquals(new double[] {0.5, 1.5}, (double[]) pair.value());
        // One list written, changed and written again: each record in the state of its write.
        assertEquals(List.of(List.of(1), List.of(1, 2)), back.subList(9, 11));
    }

    @Test
    void javaStreamsAreWrittenInVersion2AndANewerVersionIsRefusedByName() throws IOException {
        byte[] v2 = RecordStreams.write(new JavaSerializer(), Compression.NONE, List.of("x"));
        assertEquals(2, v2[4]);

        byte[] v3 = v2.clone();
        v3[4] = 3;
        StreamCorruptedException e = assertThrows(StreamCorruptedException.class,
                () -> RecordStreams.read(new JavaSerializer(), Compression.NONE, v3));
        assertTrue(e.getMessage().contains("expected format version 1 to 2, found version 3"), e.getMessage());
        assertTrue(e.getMessage().contains("newer Cairn version"), e.getMessage());
    }

    @Test
    void kryoStreamsKeepVersion1() throws IOException {
        byte[] kryo = RecordStreams.write(new KryoSerializer(CairnOptions.empty()), Compression.NONE, List.of("x"));
        assertEquals(1, kryo[4]);

        kryo[4] = 2;
        StreamCorruptedException e = assertThrows(StreamCorruptedException.class,
                () -> RecordStreams.read(new KryoSerializer(CairnOptions.empty()), Compression.NONE, kryo));
        assertTrue(e.getMessage().contains("expected format version 1, found version 2"), e.getMessage());
    }

    /**
     * The generic record serializer replaced a hand-written one for {@code dev.cairn.Pair}, and Kryo's
     * reflective one for other records: writing the old stream's records again must give the old bytes.
     */
    @Test
    void kryoStreamOfEarlierVersionReadsAndIsWrittenAgainByteForByte() throws IOException {
        byte[] old = resource("kryo-v1.bin");
        KryoSerializer serializer = new KryoSerializer(CairnOptions.empty());

        List<Object> back = RecordStreams.read(serializer, Compression.NONE, old);

        assertEquals(9, back.size());
        dev.cairn.Pair<?, ?> first = (dev.cairn.Pair<?, ?>) back.get(0);
        assertEquals(1L, first.key());
        assertArrayEquals(new double[] {0.5, 1.5}, (double[]) first.value());
        assertEquals(List.of(new dev.cairn.Pair<>(null, "value"), new dev.cairn.Pair<>("key", null),
                new dev.cairn.Pair<>(new dev.cairn.Pair<>(1, "a"), List.of(2, 3)), new Pair<>("k", 42L)), back.subList(1, 5));
        KryoSerializerTest.Plain plain = (KryoSerializerTest.Plain) back.get(5);
        assertEquals("p", plain.name());
        assertArrayEquals(new long[] {5, 6}, plain.values());
        assertEquals(Arrays.asList(new Point(3, 4), null, "end"), back.subList(6, 9));
        assertArrayEquals(old, RecordStreams.write(serializer, Compression.NONE, back));
    }
}
