package dev.cairn.benchmarks.jmh;

import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointSpec;
import dev.cairn.checkpoint.CheckpointWriter;
import dev.cairn.checkpoint.PartReceipt;
import dev.cairn.checkpoint.PartWriter;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What verification costs: the post-write check ({@link CheckpointReader#verifyPart}: re-read a part,
 * check each block's CRC32C and the file's length and CRC32C) over a {@value #MIB} MiB part of
 * 64 KiB byte-array records, on {@code memory://} and on
 * {@code file://} (from the page cache, as right after a write), against the same read without a
 * checksum and against CRC32C alone over a byte array. The score is milliseconds per part; JmhMain
 * turns it into seconds per GB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class VerifyBenchmark {
    /** Size of the part, MiB. */
    public static final int MIB = 256;
    public static final long BYTES = (long) MIB << 20;

    @Param({"memory", "file"})
    public String backend;

    private Backends store;
    private StorageRegistry registry;
    private CheckpointReader reader;
    private byte[] chunk;

    @Setup
    public void setup() throws IOException {
        store = Backends.open(backend);
        registry = StorageRegistry.of(store.dir.getScheme(), store.storage);
        chunk = new byte[64 * 1024];
        new Random(1).nextBytes(chunk);
        CheckpointWriter writer = CheckpointWriter.create(registry, CheckpointSpec.builder(store.file("ckpt")).dataset("jmh").build());
        PartReceipt receipt;
        try (PartWriter out = writer.openPart(0)) {
            for (long done = 0; done < BYTES; done += chunk.length) {
                out.write(chunk);
            }
            receipt = out.commit();
        }
        writer.commit(List.of(receipt), 1, null, Map.of());
        reader = writer.reload();
    }

    @TearDown
    public void tearDown() throws IOException {
        registry.close();
        store.close();
    }

    /** The post-write verification of one part: read it all, CRC32C it, compare. */
    @Benchmark
    public void verifyPart() {
        reader.verifyPart(registry, 0);
    }

    /** The same read without a checksum: what verification costs beyond reading. */
    @Benchmark
    public long readPart() throws IOException {
        byte[] buf = new byte[64 * 1024];
        long n = 0;
        try (InputStream in = store.storage.open(store.file("ckpt/part-00000"))) {
            for (int r; (r = in.read(buf)) >= 0; ) {
                n += r;
            }
        }
        return n;
    }

    /** CRC32C alone over the same number of bytes, 64 KiB at a time (no I/O). */
    @Benchmark
    public long crc32cOnly() {
        CRC32C crc = new CRC32C();
        for (long done = 0; done < BYTES; done += chunk.length) {
            crc.update(chunk, 0, chunk.length);
        }
        return crc.getValue();
    }
}
