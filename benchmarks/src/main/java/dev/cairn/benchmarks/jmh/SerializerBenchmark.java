package dev.cairn.benchmarks.jmh;

import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Compression;
import dev.cairn.serde.RecordInput;
import dev.cairn.serde.RecordOutput;
import dev.cairn.serde.Serializer;
import dev.cairn.serde.Serializers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
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
 * Record streams in memory: {@value #BATCH} points written through a serializer and a codec into a
 * byte array, and read back. One operation is one record, so the score is records per second.
 * Bytes per record come from {@link #encode} (JmhMain reports them next to the scores).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class SerializerBenchmark {
    /** Records per stream (one invocation). */
    public static final int BATCH = 10_000;

    @Param({"kryo", "java"})
    public String serializer;

    @Param({"none", "lz4", "zstd"})
    public String compression;

    private Serializer ser;
    private Compression codec;
    private List<Object> records;
    private byte[] encoded;
    private Sink sink;

    @Setup
    public void setup() throws IOException {
        ser = Serializers.forName(serializer, CairnOptions.empty());
        codec = Compression.fromId(compression);
        records = Points.of(1_000_000, BATCH);
        encoded = encode(ser, codec, records);
        sink = new Sink(encoded.length * 2);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int write() throws IOException {
        return writeAll(ser, codec, sink, records);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void read(Blackhole bh) throws IOException {
        readAll(ser, codec, encoded, bh);
    }

    /** Writes {@code records} as one stream into {@code sink} (emptied first); returns the bytes written. */
    static int writeAll(Serializer ser, Compression codec, Sink sink, List<Object> records) throws IOException {
        sink.reset();
        try (RecordOutput out = ser.newOutput(codec.wrap(sink))) {
            for (Object r : records) {
                out.write(r);
            }
        }
        return sink.size();
    }

    /** Reads every record of the stream {@code encoded} into {@code bh}. */
    static void readAll(Serializer ser, Compression codec, byte[] encoded, Blackhole bh) throws IOException {
        try (RecordInput in = ser.newInput(codec.wrap(new ByteArrayInputStream(encoded)))) {
            while (in.hasNext()) {
                bh.consume(in.next());
            }
        }
    }

    /** The bytes of one stream of {@code records}. */
    public static byte[] encode(Serializer ser, Compression codec, List<Object> records) throws IOException {
        Sink sink = new Sink(1 << 20);
        try (RecordOutput out = ser.newOutput(codec.wrap(sink))) {
            for (Object r : records) {
                out.write(r);
            }
        }
        return Arrays.copyOf(sink.buffer(), sink.size());
    }

    /** Bytes per record of a {@value #BATCH}-record stream, as the benchmark writes it. */
    public static double bytesPerRecord(String serializer, String compression) throws IOException {
        return encode(Serializers.forName(serializer, CairnOptions.empty()), Compression.fromId(compression),
                Points.of(1_000_000, BATCH)).length / (double) BATCH;
    }
}
