package dev.cairn.checkpoint;

import static dev.cairn.checkpoint.FormatFixtures.OPTIONS;
import static dev.cairn.checkpoint.FormatFixtures.PARTITIONS;
import static dev.cairn.checkpoint.FormatFixtures.RECORDS;
import static dev.cairn.checkpoint.FormatFixtures.SMALL_BLOCK;
import static dev.cairn.checkpoint.FormatFixtures.STORAGE;
import static dev.cairn.checkpoint.FormatFixtures.records;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cairn.CheckpointException;
import dev.cairn.CheckpointIOException;
import dev.cairn.CorruptPartException;
import dev.cairn.HashPartitioner;
import dev.cairn.IncompatibleCheckpointException;
import dev.cairn.checkpoint.FormatFixtures.Combo;
import dev.cairn.checkpoint.FormatFixtures.Read;
import java.net.URI;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz tests of everything a reader takes from storage: {@code _manifest.json}, {@code _partitioner},
 * the blocks of a part file, the record stream under them and its compression (none, lz4, zstd),
 * for the Kryo and the Java serializer. Each target puts the fuzzed bytes into a {@code memory://}
 * checkpoint and reads it through the public format API ({@link CheckpointReader#open},
 * {@link CheckpointReader#openPart}, {@link CheckpointReader#verifyPart}), so what is fuzzed is what
 * users run. Every target checks:
 * <ul>
 *   <li>only {@link CheckpointException}s escape, each naming this checkpoint and the file at fault;
 *       never a {@link CheckpointIOException} (a memory store does not fail: bytes that disagree
 *       must never be reported as a store failure, which tells the user to try again);</li>
 *   <li>no hang: each input is bounded by {@link Timeout} (in fuzzing mode Jazzer turns it into
 *       libFuzzer's {@code -timeout});</li>
 *   <li>no allocation driven by an unchecked length: the long run uses a 256 MiB heap, where an
 *       {@link OutOfMemoryError} is a finding like any other throwable;</li>
 *   <li>no silent wrong result: where the manifest still describes the original part, the records
 *       handed out are a prefix of the original records, and all of them when reading succeeds.</li>
 * </ul>
 *
 * <p>In the default suite (regression mode) the committed inputs under
 * {@code src/test/resources/dev/cairn/checkpoint/FormatFuzzTestInputs/<target>/} are replayed in
 * seconds. The long run ({@code -Pfuzz}, see docs/reliability.md, "Fuzzing") fuzzes one target per JVM
 * for {@value #LONG_RUN_INPUTS} inputs.
 *
 * <p>Input layouts: the part targets start with a selector byte ({@link Combo#of}) for the
 * serializer and compression; {@link #part} has a second byte whose bit 0 rewrites the manifest to
 * the fuzzed part's length and CRC32C ("forged": only the block checks and the decoder stand
 * between the bytes and the user).
 */
class FormatFuzzTest {
    /** Inputs per target in the long run; regression mode replays the committed inputs only. */
    static final int LONG_RUN_INPUTS = 50_000;
    /** The per-input time bound. Decoding a few KiB takes milliseconds; the bound catches loops, not slowness. */
    static final int PER_INPUT_SECONDS = 10;

    /**
     * The most one input may allocate. What a reader allocates does not grow with the input: block
     * buffers (at most {@link CheckpointManifest#MAX_BLOCK_SIZE}, 16 MiB, per open part), 1 MiB
     * drain buffers, codec and serializer buffers. More than this means a length read from the
     * bytes sized an allocation; the check works whatever the heap (the default suite runs with a
     * large one, where such an allocation may succeed instead of failing).
     */
    static final long ALLOCATION_BOUND = 192L * 1024 * 1024;
    /**
     * {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}, looked up at run time:
     * the tests compile inside module dev.cairn.core, which does not read the management modules
     * (and should not, for a test); they run on the class path, where everything is readable.
     */
    private static final java.lang.invoke.MethodHandle ALLOCATED_BYTES;

    static {
        try {
            Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            ALLOCATED_BYTES = java.lang.invoke.MethodHandles.publicLookup()
                    .findVirtual(Class.forName("com.sun.management.ThreadMXBean"), "getCurrentThreadAllocatedBytes",
                            java.lang.invoke.MethodType.methodType(long.class))
                    .bindTo(threads);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final String PART0 = CheckpointManifest.partName(0);
    /** A valid checkpoint per combo, with {@link FormatFixtures#SMALL_BLOCK}-byte blocks. */
    private static final Map<Combo, Map<String, byte[]>> BASE = new EnumMap<>(Combo.class);

    static {
        for (Combo c : Combo.values()) {
            BASE.put(c, FormatFixtures.checkpoint(c, SMALL_BLOCK));
        }
    }

    /** The fuzzed {@code _manifest.json} beside valid parts and partitioner (Kryo, no compression). */
    @FuzzTest(maxExecutions = LONG_RUN_INPUTS)
    @DictionaryEntries({"\"formatVersion\"", "\"numPartitions\"", "\"parts\"", "\"name\"", "\"bytes\"", "\"records\"",
            "\"crc32c\"", "\"serializer\"", "\"compression\"", "\"blockSize\"", "\"partitioner\"", "\"partitionerCrc32c\"",
            "\"metadata\"", "\"createdAt\"", "\"kryo\"", "\"java\"", "\"lz4\"", "\"zstd\"", "\"none\"", "\"part-00001\"",
            "\"prefixSpread\"", "\"a5/part-00000\"", "\"../part-00000\"", "256", "257",
            "16777216", "16777217", "2147483648", "-1", "null", "1.5e300"})
    @Timeout(value = PER_INPUT_SECONDS, unit = TimeUnit.SECONDS)
    void manifest(byte[] json) {
        bounded(() -> manifestInput(json));
    }

    private static void manifestInput(byte[] json) {
        Map<String, byte[]> files = new LinkedHashMap<>(BASE.get(Combo.KRYO_NONE));
        files.put(CheckpointManifest.FILE_NAME, json);
        URI location = FormatFixtures.newLocation("manifest");
        FormatFixtures.put(location, files);
        try {
            CheckpointReader reader;
            try {
                reader = CheckpointReader.open(STORAGE, location, OPTIONS);
            } catch (CheckpointException e) {
                expectNamed(e, location, null);
                return;
            }
            // Whatever the manifest says, part i read through it is partition i or a named failure.
            for (int p = 0; p < reader.numPartitions(); p++) {
                Read read = FormatFixtures.readPart(reader, p);
                expectPrefix(records(p), read, "partition " + p + " through a fuzzed manifest");
                if (!read.ok()) {
                    expectNamed(read.failure(), location, reader.manifest().parts().get(p).name());
                }
            }
            try {
                reader.partitioner().ifPresent(found -> check(new HashPartitioner(PARTITIONS).equals(found),
                        "the partitioner read through a fuzzed manifest is " + found));
            } catch (CheckpointException e) {
                expectNamed(e, location, CheckpointManifest.PARTITIONER_FILE);
            }
        } finally {
            FormatFixtures.delete(location);
        }
    }

    /** The fuzzed {@code _partitioner}, with the manifest's CRC32C matching it so deserialization is reached. */
    @FuzzTest(maxExecutions = LONG_RUN_INPUTS)
    @Timeout(value = PER_INPUT_SECONDS, unit = TimeUnit.SECONDS)
    void partitioner(byte[] data) {
        bounded(() -> partitionerInput(data));
    }

    private static void partitionerInput(byte[] data) {
        Map<String, byte[]> files = new LinkedHashMap<>(BASE.get(Combo.KRYO_NONE));
        files.put(CheckpointManifest.PARTITIONER_FILE, data);
        files.put(CheckpointManifest.FILE_NAME, FormatFixtures.manifest(Combo.KRYO_NONE, originalEntries(Combo.KRYO_NONE), data,
                SMALL_BLOCK).toJson());
        URI location = FormatFixtures.newLocation("partitioner");
        FormatFixtures.put(location, files);
        try {
            CheckpointReader reader;
            try {
                reader = CheckpointReader.open(STORAGE, location, OPTIONS);
            } catch (CheckpointException e) {
                // Only a file too large to be a partitioner may be refused before deserializing.
                expectNamed(e, location, CheckpointManifest.PARTITIONER_FILE);
                check(e instanceof CorruptPartException && data.length > 1024 * 1024, "open refused a partitioner file of "
                        + data.length + " bytes whose CRC32C matches: " + e);
                return;
            }
            try {
                reader.partitioner();
            } catch (CheckpointException e) {
                expectNamed(e, location, CheckpointManifest.PARTITIONER_FILE);
                check(e instanceof CorruptPartException || e instanceof IncompatibleCheckpointException, "unexpected " + e);
            }
        } finally {
            FormatFixtures.delete(location);
        }
    }

    /**
     * The fuzzed bytes of {@code part-00000}: byte 0 picks the combo, bit 0 of byte 1 forges the
     * manifest entry (length and CRC32C of the fuzzed bytes), the rest is the part file.
     */
    @FuzzTest(maxExecutions = LONG_RUN_INPUTS)
    @Timeout(value = PER_INPUT_SECONDS, unit = TimeUnit.SECONDS)
    void part(byte[] data) {
        bounded(() -> partInput(data));
    }

    private static void partInput(byte[] data) {
        if (data.length < 2) {
            return;
        }
        Combo combo = Combo.of(data[0]);
        boolean forged = (data[1] & 1) != 0;
        byte[] part = Arrays.copyOfRange(data, 2, data.length);
        byte[] original = BASE.get(combo).get(PART0);
        Map<String, byte[]> files = new LinkedHashMap<>(BASE.get(combo));
        files.put(PART0, part);
        if (forged) {
            List<CheckpointManifest.Part> entries = new java.util.ArrayList<>(originalEntries(combo));
            entries.set(0, FormatFixtures.entry(0, part, RECORDS, entries.get(0).streamBytes()));
            files.put(CheckpointManifest.FILE_NAME, FormatFixtures.manifest(combo, entries,
                    BASE.get(combo).get(CheckpointManifest.PARTITIONER_FILE), SMALL_BLOCK).toJson());
        }
        URI location = FormatFixtures.newLocation("part");
        FormatFixtures.put(location, files);
        try {
            // open() lists the directory: a part at another length than the manifest's is refused there.
            try {
                CheckpointReader.open(STORAGE, location, OPTIONS);
                check(forged || part.length == original.length, "open accepted a part of " + part.length + " bytes, the manifest says "
                        + original.length);
            } catch (CheckpointException e) {
                expectNamed(e, location, PART0);
                check(!forged && part.length != original.length, "open refused a part of the listed length: " + e);
            }
            // The manifest alone (as `cairn verify` opens it), then the part streamed and verified.
            CheckpointReader reader = CheckpointReader.openManifest(STORAGE, location, OPTIONS);
            Read read = FormatFixtures.readPart(reader, 0);
            CheckpointException verified = FormatFixtures.verify(reader, 0);
            if (!read.ok()) {
                expectNamed(read.failure(), location, PART0);
            }
            if (verified != null) {
                expectNamed(verified, location, PART0);
                check(!read.ok(), "verifyPart found damage that reading the part let through: " + verified);
            }
            if (!forged) {
                expectPrefix(records(0), read, "a damaged part");
                check(read.ok() == (verified == null), "reading and verifyPart disagree: read " + read.failure() + ", verify "
                        + verified);
            }
            if (Arrays.equals(part, original)) {
                check(read.ok() && verified == null, "the original part failed: " + read.failure() + " / " + verified);
            }
            // The other partition is untouched by damage to this one.
            Read other = FormatFixtures.readPart(reader, 1);
            check(other.ok() && other.records().equals(records(1)), "partition 1 read " + other);
        } finally {
            FormatFixtures.delete(location);
        }
    }

    /**
     * The fuzzed uncompressed record stream: byte 0 picks the combo, the rest goes through its codec
     * and into valid blocks, with a manifest that matches the resulting file, so every input
     * reaches the decoder.
     */
    @FuzzTest(maxExecutions = LONG_RUN_INPUTS)
    @Timeout(value = PER_INPUT_SECONDS, unit = TimeUnit.SECONDS)
    void recordStream(byte[] data) {
        bounded(() -> recordStreamInput(data));
    }

    private static void recordStreamInput(byte[] data) {
        if (data.length < 1) {
            return;
        }
        Combo combo = Combo.of(data[0]);
        byte[] stream = Arrays.copyOfRange(data, 1, data.length);
        readForged(combo, FormatFixtures.blocks(FormatFixtures.compress(combo.compression, stream), SMALL_BLOCK), stream.length,
                "record-stream");
    }

    /**
     * The fuzzed compressed stream (lz4 or zstd): byte 0 picks one of the four compressed combos,
     * the rest is the codec's input, put into valid blocks with a matching manifest.
     */
    @FuzzTest(maxExecutions = LONG_RUN_INPUTS)
    @Timeout(value = PER_INPUT_SECONDS, unit = TimeUnit.SECONDS)
    void compressedStream(byte[] data) {
        bounded(() -> compressedStreamInput(data));
    }

    private static void compressedStreamInput(byte[] data) {
        if (data.length < 1) {
            return;
        }
        List<Combo> compressed = Arrays.stream(Combo.values()).filter(c -> c.compression != dev.cairn.serde.Compression.NONE)
                .collect(Collectors.toList());
        Combo combo = compressed.get((data[0] & 0xff) % compressed.size());
        byte[] compressedBytes = Arrays.copyOfRange(data, 1, data.length);
        readForged(combo, FormatFixtures.blocks(compressedBytes, SMALL_BLOCK), decompressedLength(combo, compressedBytes),
                "compressed-stream");
    }

    /**
     * How many bytes {@code compressed} decompresses to, counted without keeping them (up to where
     * the codec fails, if it does): what a writer would have recorded as the part's stream length.
     */
    private static long decompressedLength(Combo combo, byte[] compressed) {
        long n = 0;
        byte[] buffer = new byte[8192];
        try (java.io.InputStream in = combo.compression.wrap(new java.io.ByteArrayInputStream(compressed))) {
            for (int r; (r = in.read(buffer)) >= 0; ) {
                n += r;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // a damaged stream: the length up to the damage
        }
        return n;
    }

    /** Reads {@code part} as partition 0 of a checkpoint whose manifest matches it exactly, its record stream {@code streamBytes} long. */
    private static void readForged(Combo combo, byte[] part, long streamBytes, String target) {
        Map<String, byte[]> files = new LinkedHashMap<>(BASE.get(combo));
        files.put(PART0, part);
        List<CheckpointManifest.Part> entries = new java.util.ArrayList<>(originalEntries(combo));
        entries.set(0, FormatFixtures.entry(0, part, RECORDS, streamBytes));
        files.put(CheckpointManifest.FILE_NAME, FormatFixtures.manifest(combo, entries,
                BASE.get(combo).get(CheckpointManifest.PARTITIONER_FILE), SMALL_BLOCK).toJson());
        URI location = FormatFixtures.newLocation(target);
        FormatFixtures.put(location, files);
        try {
            CheckpointReader reader = CheckpointReader.open(STORAGE, location, OPTIONS);
            check(FormatFixtures.verify(reader, 0) == null, "verifyPart refused a part whose blocks and manifest are intact");
            Read read = FormatFixtures.readPart(reader, 0);
            if (!read.ok()) {
                expectNamed(read.failure(), location, PART0);
                check(read.failure() instanceof CorruptPartException || read.failure() instanceof IncompatibleCheckpointException,
                        "unexpected " + read.failure());
            } else {
                check(read.records().size() == RECORDS, "read " + read.records().size() + " records, the manifest says " + RECORDS);
            }
        } finally {
            FormatFixtures.delete(location);
        }
    }

    /** Runs one input and checks what it allocated against {@link #ALLOCATION_BOUND}. */
    private static void bounded(Runnable input) {
        long before = allocatedBytes();
        input.run();
        long allocated = allocatedBytes() - before;
        check(allocated <= ALLOCATION_BOUND, "one input allocated " + allocated / (1024 * 1024) + " MiB, more than the "
                + ALLOCATION_BOUND / (1024 * 1024) + " MiB a reader needs whatever its input");
    }

    private static long allocatedBytes() {
        try {
            return (long) ALLOCATED_BYTES.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException("Cannot measure allocations", e);
        }
    }

    private static List<CheckpointManifest.Part> originalEntries(Combo combo) {
        try {
            return CheckpointManifest.parse(BASE.get(combo).get(CheckpointManifest.FILE_NAME)).parts();
        } catch (CheckpointManifest.FormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A failure must name this checkpoint and a file of it ({@code file}, or when null any of its
     * files), and must not call bytes a store failure.
     */
    static void expectNamed(CheckpointException e, URI location, String file) {
        boolean known = file != null ? file.equals(e.file())
                : e.file() != null && (e.file().equals(CheckpointManifest.FILE_NAME) || e.file().equals(CheckpointManifest.PARTITIONER_FILE)
                        || e.file().matches("([0-9a-f]{2}/)?part-\\d{5,}")); // in a sub-prefix too, for a spread manifest (format 4)
        check(known, "expected a failure naming " + (file == null ? "a file of the checkpoint" : file) + ", found file " + e.file(), e);
        check(location.equals(e.location()) && e.getMessage().contains(location + "/" + e.file()),
                "expected the message to name " + location + "/" + e.file(), e);
        check(!(e instanceof CheckpointIOException), "bytes in a memory store reported as a store failure", e);
    }

    /** The records handed out are the first ones of {@code expected}; all of them when the read succeeded. */
    static void expectPrefix(List<Object> expected, Read read, String what) {
        List<Object> got = read.records();
        boolean prefix = got.size() <= expected.size() && Objects.equals(got, expected.subList(0, got.size()));
        check(prefix, what + " handed out records that were never written: " + got, read.failure());
        check(!read.ok() || got.size() == expected.size(), what + " read successfully with " + got.size() + " of " + expected.size()
                + " records", null);
    }

    static void check(boolean condition, String message) {
        check(condition, message, null);
    }

    /** An {@link AssertionError} is a finding for Jazzer and a failure for JUnit. */
    static void check(boolean condition, String message, Throwable cause) {
        if (!condition) {
            throw new AssertionError(message, cause);
        }
    }
}
