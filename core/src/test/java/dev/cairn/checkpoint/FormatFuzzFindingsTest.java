package dev.cairn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.CheckpointException;
import dev.cairn.CorruptPartException;
import dev.cairn.checkpoint.FormatFixtures.Combo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * What the fuzzers found, each as the smallest input that shows it and as the fuzzer's own input
 * (kept under {@code src/test/resources/dev/cairn/checkpoint/FormatFuzzFindings/}, outside the
 * replayed corpus so the default suite stays green until the fix). Disabled until fixed; each
 * names the bug. docs/reliability-faults.md describes them and the fix proposed.
 */
class FormatFuzzFindingsTest {
    private static final String PARTITIONER_NULL = "bug: a _partitioner holding a serialized null (5 bytes: aced 0005 70) whose CRC32C"
            + " matches makes CheckpointReader.partitioner() throw NullPointerException from Optional.of, and an object of any other"
            + " class is returned as the partitioner";
    private static final String LINKAGE = "bug: a class that resolves but cannot be linked (NoClassDefFoundError, a LinkageError)"
            + " escapes as an Error instead of an IncompatibleCheckpointException naming the file: CheckpointFiles.deserializePartitioner"
            + " catches ClassNotFoundException, IOException and RuntimeException only, and so do JavaSerializer and KryoSerializer"
            + " for records";
    private static final String ARRAY_LENGTH = "bug: an array length read from a part's record stream sizes the allocation before a"
            + " single element is read: OutOfMemoryError escapes instead of a CorruptPartException";

    // ---------------------------------------------------------------- _partitioner

    @Test
    @Disabled(PARTITIONER_NULL)
    void aPartitionerFileHoldingNullIsCorrupt() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> partitionerOf(new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 0x70}));
        assertInstanceOf(CorruptPartException.class, e);
        assertEquals(CheckpointManifest.PARTITIONER_FILE, e.file());
    }

    @Test
    @Disabled(PARTITIONER_NULL)
    void aPartitionerFileHoldingAnotherClassThanTheManifestNamesIsCorrupt() {
        byte[] string = FormatFixtures.javaSerialized("not a partitioner");
        CheckpointException e = assertThrows(CheckpointException.class, () -> partitionerOf(string));
        assertInstanceOf(CorruptPartException.class, e);
        assertEquals(CheckpointManifest.PARTITIONER_FILE, e.file());
    }

    @Test
    @Disabled(PARTITIONER_NULL)
    void theFuzzersPartitionerInputPasses() throws IOException {
        new FormatFuzzTest().partitioner(finding("partitioner-null"));
    }

    /** What happens today, so the bug cannot go unnoticed if something else changes it. */
    @Test
    void todayAPartitionerFileHoldingNullThrowsNullPointerException() {
        assertThrows(NullPointerException.class, () -> partitionerOf(new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 0x70}));
        assertEquals("not a partitioner", partitionerOf(FormatFixtures.javaSerialized("not a partitioner")));
    }

    @Test
    @Disabled(LINKAGE)
    void aPartitionerClassThatCannotBeLinkedIsIncompatible() throws IOException {
        new FormatFuzzTest().partitioner(finding("partitioner-linkage-error"));
    }

    @Test
    @Disabled(LINKAGE)
    void aRecordClassThatCannotBeLinkedIsIncompatible() throws IOException {
        new FormatFuzzTest().recordStream(javaRecordStreamOf(finding("partitioner-linkage-error")));
    }

    /**
     * What happens today. The fuzzer's class is Jazzer's own {@code jaz.Zer} (on the test class
     * path, built for a newer JDK: it needs {@code java.util.SequencedCollection}, which Java 17
     * lacks); any class whose dependencies are missing at run time does the same.
     */
    @Test
    void todayALinkageErrorEscapes() throws IOException {
        byte[] zer = finding("partitioner-linkage-error");
        assertThrows(NoClassDefFoundError.class, () -> new FormatFuzzTest().partitioner(zer));
        assertThrows(NoClassDefFoundError.class, () -> new FormatFuzzTest().recordStream(javaRecordStreamOf(zer)));
    }

    // ---------------------------------------------------------------- array lengths in the record stream

    @Test
    @Disabled(ARRAY_LENGTH + " (Java serialization: ObjectInputStream.readArray)")
    void aHugeArrayLengthInAJavaStreamIsCorrupt() {
        new FormatFuzzTest().recordStream(withHugeArrayLength(Combo.JAVA_NONE));
    }

    @Test
    @Disabled(ARRAY_LENGTH + " (Kryo: Input.readLongs)")
    void aHugeArrayLengthInAKryoStreamIsCorrupt() {
        new FormatFuzzTest().recordStream(withHugeArrayLength(Combo.KRYO_NONE));
    }

    @Test
    @Disabled(ARRAY_LENGTH + " (Java serialization)")
    void theFuzzersArrayLengthInputPasses() throws IOException {
        new FormatFuzzTest().recordStream(finding("java-array-length-oom"));
    }

    @Test
    @Disabled(ARRAY_LENGTH + " (Kryo: Input.readUtf8Chars allocates char[n] for a string of n characters: 196 MiB for this"
            + " 179-byte input)")
    void theFuzzersKryoStringLengthInputPasses() throws IOException {
        new FormatFuzzTest().recordStream(finding("kryo-string-length"));
    }

    @Test
    @Disabled(ARRAY_LENGTH + " (Kryo: Input.readUtf8Chars, under lz4)")
    void theFuzzersKryoStringLengthInputUnderLz4Passes() throws IOException {
        new FormatFuzzTest().compressedStream(finding("kryo-string-length-lz4"));
    }

    @Test
    void todayAHugeArrayLengthThrowsOutOfMemoryError() {
        assertThrows(OutOfMemoryError.class, () -> new FormatFuzzTest().recordStream(withHugeArrayLength(Combo.JAVA_NONE)));
        assertThrows(OutOfMemoryError.class, () -> new FormatFuzzTest().recordStream(withHugeArrayLength(Combo.KRYO_NONE)));
    }

    // ---------------------------------------------------------------- helpers

    /** The partitioner read from a checkpoint whose {@code _partitioner} is {@code data}, its CRC32C in the manifest. */
    private static Object partitionerOf(byte[] data) {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>(FormatFixtures.checkpoint(Combo.KRYO_NONE, FormatFixtures.SMALL_BLOCK));
        List<CheckpointManifest.Part> parts = List.of(FormatFixtures.entry(0, files.get("part-00000"), FormatFixtures.RECORDS),
                FormatFixtures.entry(1, files.get("part-00001"), FormatFixtures.RECORDS));
        files.put(CheckpointManifest.PARTITIONER_FILE, data);
        files.put(CheckpointManifest.FILE_NAME, FormatFixtures.manifest(Combo.KRYO_NONE, parts, data, FormatFixtures.SMALL_BLOCK).toJson());
        URI location = FormatFixtures.newLocation("finding");
        FormatFixtures.put(location, files);
        try {
            return CheckpointReader.open(FormatFixtures.STORAGE, location, FormatFixtures.OPTIONS).partitioner().orElseThrow();
        } finally {
            FormatFixtures.delete(location);
        }
    }

    /**
     * A {@link FormatFuzzTest#recordStream} input: the record stream of one {@code long[1]} with
     * its length field rewritten to about two billion, in the combo's own encoding.
     */
    static byte[] withHugeArrayLength(Combo combo) {
        byte[] empty = FormatFixtures.stream(combo, List.of(new long[0]));
        byte[] one = FormatFixtures.stream(combo, List.of(new long[] {42}));
        int d = 0;
        while (empty[d] == one[d]) {
            d++;
        }
        byte[] stream;
        if (combo.serializer.equals("kryo")) {
            // Kryo: a variable-length int, length + 1; five bytes encode 2^31 - 1.
            assertEquals(2, one[d]);
            stream = splice(one, d, 1, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
        } else {
            // Java serialization: a 4-byte big-endian int.
            assertEquals(1, one[d]);
            stream = splice(one, d - 3, 4, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0});
        }
        byte[] input = new byte[stream.length + 1];
        input[0] = combo.selector();
        System.arraycopy(stream, 0, input, 1, stream.length);
        return input;
    }

    /**
     * A {@link FormatFuzzTest#recordStream} input (Java, no compression) whose first record is
     * the object in {@code serialized}, a whole Java serialization stream.
     */
    private static byte[] javaRecordStreamOf(byte[] serialized) {
        byte[] head = {Combo.JAVA_NONE.selector(), 'C', 'R', 'N', 'J', 1, (byte) 0xac, (byte) 0xed, 0, 5,
            0x77, 1, 1}; // stream header, then the record marker as a one-byte data block
        byte[] input = Arrays.copyOf(head, head.length + serialized.length - 4);
        System.arraycopy(serialized, 4, input, head.length, serialized.length - 4);
        return input;
    }

    private static byte[] splice(byte[] data, int at, int remove, byte[] insert) {
        byte[] out = new byte[data.length - remove + insert.length];
        System.arraycopy(data, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(data, at + remove, out, at + insert.length, data.length - at - remove);
        return out;
    }

    private static byte[] finding(String name) throws IOException {
        try (InputStream in = FormatFuzzFindingsTest.class.getResourceAsStream("FormatFuzzFindings/" + name)) {
            return in.readAllBytes();
        }
    }
}
