package dev.cairn.benchmarks.jmh;

import dev.cairn.config.CairnOptions;
import dev.cairn.benchmarks.Workload;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.PartReader;
import dev.cairn.checkpoint.PartWriter;
import dev.cairn.serde.Compression;
import dev.cairn.serde.Serializer;
import dev.cairn.serde.Serializers;
import java.io.IOException;
import java.util.List;
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
 * One part file through {@link PartWriter} and {@link PartReader} (Kryo, no compression), per
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
    private Serializer ser;
    private List<Object> points;
    private byte[] blob;
    private CheckpointManifest.Part pointsPart;
    private CheckpointManifest.Part blobsPart;

    @Setup
    public void setup() throws IOException {
        store = Backends.open(backend);
        ser = Serializers.forName("kryo", CairnOptions.empty());
        points = Points.of(0, POINTS);
        blob = Workload.blob(42);
        pointsPart = writePoints("part-00000");
        blobsPart = writeBlobs("part-00001");
    }

    @TearDown
    public void tearDown() throws IOException {
        store.close();
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public long writePoints() throws IOException {
        return writePoints("part-00002").bytes();
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void readPoints(Blackhole bh) {
        read(pointsPart, bh);
    }

    @Benchmark
    @OperationsPerInvocation(BLOBS)
    public long writeBlobs() throws IOException {
        return writeBlobs("part-00003").bytes();
    }

    @Benchmark
    @OperationsPerInvocation(BLOBS)
    public void readBlobs(Blackhole bh) {
        read(blobsPart, bh);
    }

    private CheckpointManifest.Part writePoints(String name) throws IOException {
        try (PartWriter w = new PartWriter(store.storage, store.file(name), name, ser, Compression.NONE)) {
            for (Object p : points) {
                w.write(p);
            }
            return w.commit();
        }
    }

    private CheckpointManifest.Part writeBlobs(String name) throws IOException {
        try (PartWriter w = new PartWriter(store.storage, store.file(name), name, ser, Compression.NONE)) {
            for (int i = 0; i < BLOBS; i++) {
                w.write(blob);
            }
            return w.commit();
        }
    }

    private void read(CheckpointManifest.Part part, Blackhole bh) {
        try (PartReader r = PartReader.open(store.storage, store.dir, part, ser, Compression.NONE, "jmh")) {
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
            return new long[] {b.pointsPart.bytes(), b.blobsPart.bytes()};
        } finally {
            b.tearDown();
        }
    }
}
