package dev.cairn.benchmarks.jmh;

import dev.cairn.config.CairnOptions;
import dev.cairn.benchmarks.Workload;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointSpec;
import dev.cairn.checkpoint.CheckpointWriter;
import dev.cairn.checkpoint.PartIterator;
import dev.cairn.checkpoint.PartReceipt;
import dev.cairn.checkpoint.PartWriter;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One part file through {@link PartWriter} and {@link CheckpointReader#openPart} (Kryo, no compression), per
 * backend: {@code memory://}, {@code file://} with fsync (the default) and without. Two record
 * shapes: {@value #POINTS} points (one partition of the 5M-point workload), and {@value #BLOBS}
 * records of 1 MiB. One operation is one record: the score is records per second; JmhMain turns it
 * into MB/s with the part's size. Reading verifies count, length and CRC32C as Cairn always does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class PartFileBenchmark {
    /** Points per part: 5,000,000 / 8. */
    public static final int POINTS = 625_000;
    /** 1 MiB records per part. */
    public static final int BLOBS = 128;

    @Param({"memory", "file", "file-nofsync"})
    public String backend;

    private Backends store;
    private StorageRegistry registry;
    private List<Object> points;
    private byte[] blob;
    private CheckpointReader written;
    private int writes;

    @Setup
    public void setup() throws IOException {
        store = Backends.open(backend);
        registry = StorageRegistry.of(store.dir.getScheme(), store.storage);
        points = Points.of(0, POINTS);
        blob = Workload.blob(42);
        CheckpointWriter writer = CheckpointWriter.create(registry, spec(store.file("read")));
        PartReceipt p = writePoints(writer.spec());
        PartReceipt b = writeBlobs(writer.spec(), 1);
        writer.commit(List.of(p, b), 2, null, Map.of());
        written = writer.reload();
    }

    private static CheckpointSpec spec(URI location) {
        return CheckpointSpec.builder(location).options(CairnOptions.of(Map.of("cairn.serializer", "kryo"))).dataset("jmh").build();
    }

    /** A new location per write: parts are published without overwrite. */
    private CheckpointSpec nextSpec() throws IOException {
        URI previous = store.file("w-" + writes);
        store.storage.delete(previous);
        return spec(store.file("w-" + ++writes));
    }

    @TearDown
    public void tearDown() throws IOException {
        registry.close();
        store.close();
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public long writePoints() throws IOException {
        return writePoints(nextSpec()).bytes();
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void readPoints(Blackhole bh) {
        read(0, bh);
    }

    @Benchmark
    @OperationsPerInvocation(BLOBS)
    public long writeBlobs() throws IOException {
        return writeBlobs(nextSpec(), 0).bytes();
    }

    @Benchmark
    @OperationsPerInvocation(BLOBS)
    public void readBlobs(Blackhole bh) {
        read(1, bh);
    }

    private PartReceipt writePoints(CheckpointSpec spec) {
        try (PartWriter w = PartWriter.open(registry, spec, 0)) {
            for (Object p : points) {
                w.write(p);
            }
            return w.commit();
        }
    }

    private PartReceipt writeBlobs(CheckpointSpec spec, int partition) {
        try (PartWriter w = PartWriter.open(registry, spec, partition)) {
            for (int i = 0; i < BLOBS; i++) {
                w.write(blob);
            }
            return w.commit();
        }
    }

    private void read(int partition, Blackhole bh) {
        try (PartIterator<Object> r = written.openPart(registry, partition)) {
            while (r.hasNext()) {
                bh.consume(r.next());
            }
        }
    }

    /** Bytes of one points part and of one blobs part, as the benchmark writes them. */
    public static long[] partBytes() throws IOException {
        PartFileBenchmark b = new PartFileBenchmark();
        b.backend = "memory";
        b.setup();
        try {
            return new long[] {b.written.manifest().parts().get(0).bytes(), b.written.manifest().parts().get(1).bytes()};
        } finally {
            b.tearDown();
        }
    }
}
