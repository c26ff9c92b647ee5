package dev.cairn.benchmarks.jmh;

import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Compression;
import dev.cairn.serde.KryoSerializer;
import java.io.IOException;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Java records through the kryo serializer, in memory: the points ({@code dev.cairn.Pair} of a
 * {@code Long} and a {@code double[4]}) and a user record with primitive and final components. Uses
 * only the public serializer API, so the same benchmark can run against an older core on another
 * class path (before/after figures for the record serializer). One operation is one record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class RecordBenchmark {
    /** Records per stream (one invocation). */
    public static final int BATCH = 10_000;

    /** A record as users write them: primitives, a final class, declared out of name order. */
    public record Reading(long sensor, double value, int flags, String unit) {
    }

    @Param({"pair", "reading"})
    public String record;

    private KryoSerializer serializer;
    private List<Object> records;
    private byte[] encoded;
    private Sink sink;

    @Setup
    public void setup() throws IOException {
        serializer = new KryoSerializer(CairnOptions.empty());
        if (record.equals("pair")) {
            records = Points.of(1_000_000, BATCH);
        } else {
            records = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                records.add(new Reading(1_000_000 + i, i * 0.25, i & 7, i % 2 == 0 ? "C" : "F"));
            }
        }
        sink = new Sink(1 << 20);
        write();
        encoded = java.util.Arrays.copyOf(sink.buffer(), sink.size());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int write() throws IOException {
        return SerializerBenchmark.writeAll(serializer, Compression.NONE, sink, records);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void read(Blackhole bh) throws IOException {
        SerializerBenchmark.readAll(serializer, Compression.NONE, encoded, bh);
    }
}
