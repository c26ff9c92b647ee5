package dev.cairn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.CheckpointException;
import dev.cairn.CorruptPartException;
import dev.cairn.IncompatibleCheckpointException;
import dev.cairn.checkpoint.FormatFixtures.Combo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the fuzzers found (F1 to F3; F4 is {@link BlockOrderTest}), each as the smallest input
 * that shows it and as the fuzzer's own input (kept under
 * {@code src/test/resources/dev/cairn/checkpoint/FormatFuzzFindings/}, outside the replayed
 * corpus), with the behaviour of the fix. docs/reliability.md ("Findings") describes them.
 */
class FormatFuzzFindingsTest {
    // ---------------------------------------------------------------- _partitioner (F1)

    @Test
    void aPartitionerFileHoldingNullIsCorrupt() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> partitionerOf(new byte[] {(byte) 0xac, (byte) 0xed, 0, 5, 0x70}));
        assertInstanceOf(CorruptPartException.class, e);
        assertEquals(CheckpointManifest.PARTITIONER_FILE, e.file());
        assertContains(e.getMessage(), "/" + CheckpointManifest.PARTITIONER_FILE, "expected a serialized dev.cairn.HashPartitioner",
                "found a serialized null");
    }

    @Test
    void aPartitionerFileHoldingAnotherClassThanTheManifestNamesIsCorrupt() {
        byte[] string = FormatFixtures.javaSerialized("not a partitioner");
        CheckpointException e = assertThrows(CheckpointException.class, () -> partitionerOf(string));
        assertInstanceOf(CorruptPartException.class, e);
        assertEquals(CheckpointManifest.PARTITIONER_FILE, e.file());
        assertContains(e.getMessage(), "expected a serialized dev.cairn.HashPartitioner", "java.lang.String");
    }

    /** The stream names another class at its top level: refused by name, before that class is loaded or any of its code runs. */
    @Test
    void aPartitionerFileHoldingAnObjectOfAnotherClassIsRefusedBeforeItsClassLoads() {
        byte[] other = FormatFixtures.javaSerialized(new java.util.ArrayList<>(List.of(1, 2)));
        CheckpointException e = assertThrows(CheckpointException.class, () -> partitionerOf(other));
        assertInstanceOf(CorruptPartException.class, e);
        assertEquals(CheckpointManifest.PARTITIONER_FILE, e.file());
        assertContains(e.getMessage(), "expected a serialized dev.cairn.HashPartitioner", "java.util.ArrayList (not loaded)");
    }

    @Test
    void theFuzzersPartitionerInputPasses() throws IOException {
        new FormatFuzzTest().partitioner(finding("partitioner-null"));
    }

    // ---------------------------------------------------------------- classes that cannot be linked (F2)

    /**
     * The fuzzer's class is Jazzer's own {@code jaz.Zer} (on the test class path, built for a newer
     * JDK: it needs {@code java.util.SequencedCollection}, which Java 17 lacks); any class whose
     * dependencies are missing at run time does the same.
     */
    @Test
    void aPartitionerClassThatCannotBeLinkedIsIncompatible() throws IOException {
        new FormatFuzzTest().partitioner(finding("partitioner-linkage-error"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> partitionerOf(finding("partitioner-linkage-error"), "jaz.Zer"));
        assertInstanceOf(IncompatibleCheckpointException.class, e);
        assertEquals(CheckpointManifest.PARTITIONER_FILE, e.file());
        assertContains(e.getMessage(), "/" + CheckpointManifest.PARTITIONER_FILE, "jaz.Zer", "cannot be linked",
                "put the dependencies of jaz.Zer on the class path");
    }

    @Test
    void aRecordClassThatCannotBeLinkedIsIncompatible() throws IOException {
        new FormatFuzzTest().recordStream(javaRecordStreamOf(finding("partitioner-linkage-error")));
        byte[] input = javaRecordStreamOf(finding("partitioner-linkage-error"));
        CheckpointException e = readStream(Combo.JAVA_NONE, Arrays.copyOfRange(input, 1, input.length)).failure();
        assertInstanceOf(IncompatibleCheckpointException.class, e);
        assertEquals(CheckpointManifest.partName(0), e.file());
        assertContains(e.getMessage(), "jaz.Zer", "put the record classes and their dependencies on the class path");
    }

    /**
     * Kryo: the class a stream names is found, but defining it fails, as it does for a class whose
     * superclass or interface is missing from the class path (the class loader throws the
     * {@link NoClassDefFoundError}).
     */
    @Test
    void aRecordClassThatCannotBeLinkedIsIncompatibleWithKryo() {
        byte[] stream = FormatFixtures.stream(Combo.KRYO_NONE, List.of(new Linkable()));
        ClassLoader unlinkable = new ClassLoader(FormatFuzzFindingsTest.class.getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(Linkable.class.getName())) {
                    throw new NoClassDefFoundError("com/example/MissingDependency");
                }
                return super.loadClass(name, resolve);
            }
        };
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(unlinkable);
        CheckpointException e;
        try {
            e = readStream(Combo.KRYO_NONE, stream).failure();
        } finally {
            thread.setContextClassLoader(before);
        }
        assertInstanceOf(IncompatibleCheckpointException.class, e);
        assertEquals(CheckpointManifest.partName(0), e.file());
        assertContains(e.getMessage(), Linkable.class.getName(), "com/example/MissingDependency",
                "put the record classes and their dependencies on the class path");
    }

    /** A record class without fields. */
    static final class Linkable implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }

    // ---------------------------------------------------------------- array lengths in the record stream

    @Test
    void aHugeArrayLengthInAJavaStreamIsCorrupt() {
        new FormatFuzzTest().recordStream(withHugeArrayLength(Combo.JAVA_NONE));
    }

    @Test
    void aHugeArrayLengthInAKryoStreamIsCorrupt() {
        new FormatFuzzTest().recordStream(withHugeArrayLength(Combo.KRYO_NONE));
    }

    @Test
    void theFuzzersArrayLengthInputPasses() throws IOException {
        new FormatFuzzTest().recordStream(finding("java-array-length-oom"));
    }

    @Test
    void theFuzzersKryoStringLengthInputPasses() throws IOException {
        new FormatFuzzTest().recordStream(finding("kryo-string-length"));
    }

    @Test
    void theFuzzersKryoStringLengthInputUnderLz4Passes() throws IOException {
        new FormatFuzzTest().compressedStream(finding("kryo-string-length-lz4"));
    }

    /** Every serializer and codec: refused as corrupt, naming the part, before the array is allocated. */
    @ParameterizedTest
    @EnumSource(Combo.class)
    void aHugeArrayLengthIsCorruptWithEveryCombo(Combo combo) {
        byte[] input = withHugeArrayLength(combo);
        FormatFixtures.Read read = readStream(combo, Arrays.copyOfRange(input, 1, input.length), true);
        assertInstanceOf(CorruptPartException.class, read.failure(), combo.toString());
        assertEquals(CheckpointManifest.partName(0), read.failure().file());
        assertContains(read.failure().getMessage(), "the rest of the stream", "the stream is corrupt");
    }

    /** A manifest without the stream length (written before it was recorded): without compression the file's length bounds it. */
    @ParameterizedTest
    @EnumSource(value = Combo.class, names = {"JAVA_NONE", "KRYO_NONE"})
    void aHugeArrayLengthIsCorruptUnderAManifestWithoutTheStreamLength(Combo combo) {
        byte[] input = withHugeArrayLength(combo);
        FormatFixtures.Read read = readStream(combo, Arrays.copyOfRange(input, 1, input.length), false);
        assertInstanceOf(CorruptPartException.class, read.failure(), combo.toString());
        assertContains(read.failure().getMessage(), "the rest of the stream", "the stream is corrupt");
    }

    /**
     * Collections, maps and object arrays, whose storage both serializers size by the count before
     * the first element: a count of two billion is corrupt, with every serializer and codec.
     */
    @ParameterizedTest
    @EnumSource(Combo.class)
    void aHugeElementCountOfACollectionAMapOrAnObjectArrayIsCorrupt(Combo combo) {
        List<Object[]> cases = List.of(
                new Object[] {new ArrayList<>(), new ArrayList<>(List.of(7L))},
                new Object[] {new java.util.HashMap<>(), new java.util.HashMap<>(Map.of(7L, 8L))},
                new Object[] {new String[0], new String[] {null}},
                new Object[] {new Object[0], new Object[] {null}},
                new Object[] {new boolean[0], new boolean[] {true}},
                new Object[] {new int[0], new int[] {7}},
                new Object[] {new double[0], new double[] {7}});
        for (Object[] c : cases) {
            if (combo.serializer.equals("java") && c[0] instanceof Map) {
                continue; // Java's HashMap writes its threshold before its size: the first difference is not the count
            }
            byte[] stream = withHugeCount(combo, c[0], c[1]);
            FormatFixtures.Read read = readStream(combo, stream, true);
            String what = combo + " " + c[0].getClass().getSimpleName();
            assertInstanceOf(CorruptPartException.class, read.failure(), what);
            assertContains(read.failure().getMessage() + " [" + what + "]", "the rest of the stream", "the stream is corrupt");
        }
    }

    /** A string of two billion characters in a kryo stream of a few bytes. */
    @Test
    void aHugeStringLengthInAKryoStreamIsCorrupt() {
        byte[] stream = FormatFixtures.stream(Combo.KRYO_NONE, List.of("\u00e9\u00e9"));
        // Kryo writes a non-ASCII string as its character count + 1 (here 3: 0x83, the top bit flags UTF-8), then its bytes.
        int at = indexOf(stream, new byte[] {(byte) 0x83, (byte) 0xc3, (byte) 0xa9});
        byte[] huge = splice(stream, at, 1, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
        FormatFixtures.Read read = readStream(Combo.KRYO_NONE, huge, true);
        assertInstanceOf(CorruptPartException.class, read.failure());
        assertContains(read.failure().getMessage(), "a string of at most", "the stream is corrupt");
    }

    /** Lengths that fit are read as before: arrays and strings as long as the stream allows. */
    @Test
    void arraysAndStringsThatFitTheStreamReadBack() {
        for (Combo combo : Combo.values()) {
            long[] longs = new long[10_000];
            Arrays.setAll(longs, i -> i * 31L);
            String text = "\u00e9".repeat(5_000);
            byte[] stream = FormatFixtures.stream(combo, List.of(longs, text, new byte[0], ""));
            FormatFixtures.Read read = readStream(combo, stream, true, 4);
            assertEquals(null, read.failure(), combo.toString());
            org.junit.jupiter.api.Assertions.assertArrayEquals(longs, (long[]) read.records().get(0));
            assertEquals(text, read.records().get(1));
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The partitioner read from a checkpoint whose {@code _partitioner} is {@code data}, its CRC32C in the manifest. */
    private static Object partitionerOf(byte[] data) {
        return partitionerOf(data, null);
    }

    /** As {@link #partitionerOf(byte[])}, the manifest naming {@code className} (null: {@code HashPartitioner}). */
    private static Object partitionerOf(byte[] data, String className) {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>(FormatFixtures.checkpoint(Combo.KRYO_NONE, FormatFixtures.SMALL_BLOCK));
        List<CheckpointManifest.Part> parts = List.of(FormatFixtures.entry(0, files.get("part-00000"), FormatFixtures.RECORDS),
                FormatFixtures.entry(1, files.get("part-00001"), FormatFixtures.RECORDS));
        files.put(CheckpointManifest.PARTITIONER_FILE, data);
        CheckpointManifest m = FormatFixtures.manifest(Combo.KRYO_NONE, parts, data, FormatFixtures.SMALL_BLOCK);
        if (className != null) {
            m = new CheckpointManifest(m.formatVersion(), m.datasetId(), m.datasetName(), m.dataset(), m.appName(), m.contextId(),
                    m.numPartitions(), m.parts(), m.serializer(), m.compression(), m.createdAt(), className, m.partitionerCrc32c(),
                    m.metadata(), m.blockSize());
        }
        files.put(CheckpointManifest.FILE_NAME, m.toJson());
        URI location = FormatFixtures.newLocation("finding");
        FormatFixtures.put(location, files);
        try {
            return CheckpointReader.open(FormatFixtures.STORAGE, location, FormatFixtures.OPTIONS).partitioner().orElseThrow();
        } finally {
            FormatFixtures.delete(location);
        }
    }

    /**
     * The uncompressed record stream of {@code one} (a container of one element) whose element count
     * is rewritten to about two billion, found where it differs from the stream of {@code empty}.
     */
    static byte[] withHugeCount(Combo combo, Object empty, Object one) {
        byte[] e = FormatFixtures.stream(combo, List.of(empty));
        byte[] o = FormatFixtures.stream(combo, List.of(one));
        int d = 0;
        while (e[d] == o[d]) {
            d++;
        }
        if (combo.serializer.equals("kryo")) {
            return splice(o, d, 1, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07});
        }
        return splice(o, d - 3, 4, new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0});
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

    /** Reads partition 0 of a checkpoint whose part 0 holds the uncompressed record stream {@code stream}. */
    private static FormatFixtures.Read readStream(Combo combo, byte[] stream) {
        return readStream(combo, stream, true);
    }

    private static FormatFixtures.Read readStream(Combo combo, byte[] stream, boolean withStreamLength) {
        return readStream(combo, stream, withStreamLength, FormatFixtures.RECORDS);
    }

    /** As {@link #readStream(Combo, byte[])}; the manifest records the stream's length when {@code withStreamLength}. */
    private static FormatFixtures.Read readStream(Combo combo, byte[] stream, boolean withStreamLength, long records) {
        Map<String, byte[]> files = new java.util.LinkedHashMap<>(FormatFixtures.checkpoint(combo, FormatFixtures.SMALL_BLOCK));
        byte[] part = FormatFixtures.blocks(FormatFixtures.compress(combo.compression, stream), FormatFixtures.SMALL_BLOCK);
        files.put(CheckpointManifest.partName(0), part);
        List<CheckpointManifest.Part> parts = List.of(FormatFixtures.entry(0, part, records, withStreamLength ? stream.length : -1),
                FormatFixtures.entry(1, files.get("part-00001"), FormatFixtures.RECORDS));
        files.put(CheckpointManifest.FILE_NAME, FormatFixtures.manifest(combo, parts, files.get(CheckpointManifest.PARTITIONER_FILE),
                FormatFixtures.SMALL_BLOCK).toJson());
        URI location = FormatFixtures.newLocation("finding");
        FormatFixtures.put(location, files);
        try {
            return FormatFixtures.readPart(CheckpointReader.open(FormatFixtures.STORAGE, location, FormatFixtures.OPTIONS), 0);
        } finally {
            FormatFixtures.delete(location);
        }
    }

    private static void assertContains(String message, String... parts) {
        for (String part : parts) {
            org.junit.jupiter.api.Assertions.assertTrue(message.contains(part), "expected '" + part + "' in: " + message);
        }
    }

    private static int indexOf(byte[] data, byte[] part) {
        for (int i = 0; i + part.length <= data.length; i++) {
            if (Arrays.equals(data, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
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
