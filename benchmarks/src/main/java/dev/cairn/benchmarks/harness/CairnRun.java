package dev.cairn.benchmarks.harness;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.Pair;
import dev.cairn.benchmarks.Workload;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointStats;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One measured Cairn run, in a JVM of its own (started by {@link SideBySide}).
 *
 * <p>Scenario {@code points}: {@code range(0, records, partitions).map(id -> (id, features))},
 * {@code checkpoint()}, then {@code count()} (computes, writes through, commits, verifies), then
 * {@code count()} again (reads the checkpoint). Scenario {@code blobs}: the same with records of
 * {@link Workload#BLOB_BYTES} bytes (one shared random array, so producing a record costs nothing
 * and the run measures the write path).
 *
 * <p>Arguments: {@code --scenario points|blobs --records N --partitions 8 --parallelism 2
 * --serializer kryo|java --compression none|lz4|zstd --fsync true|false --verify checksum|size
 * --dir /tmp/x --warmup N}. With {@code --warmup N > 0} the same pipeline first runs once over N
 * records in another directory (not measured).
 */
public final class CairnRun {
    /** Calls of the map function; static so the lambda captures nothing. */
    static final LongAdder MAP_CALLS = new LongAdder();
    private static volatile byte[] blob;

    private CairnRun() {
    }

    public static void main(String[] argv) throws Exception {
        ChildStats memory = ChildStats.start();
        Args args = new Args(argv);
        String scenario = args.get("scenario", "points");
        long records = args.getLong("records", 5_000_000);
        int partitions = args.getInt("partitions", 8);
        int parallelism = args.getInt("parallelism", 2);
        Path dir = Path.of(args.require("dir"));
        long warmup = args.getLong("warmup", 0);
        if (scenario.equals("blobs")) {
            blob = Workload.blob(42);
        }

        AtomicReference<CheckpointStats> stats = new AtomicReference<>();
        CairnContext.Builder builder = CairnContext.builder()
                .appName("bench-" + scenario)
                .parallelism(parallelism)
                .option("cairn.serializer", args.get("serializer", "kryo"))
                .option("cairn.checkpoint.compression", args.get("compression", "none"))
                .option("cairn.checkpoint.verify", args.get("verify", "checksum"))
                .option("cairn.local.fsync", args.get("fsync", "true"))
                .checkpointListener(new CheckpointListener() {
                    @Override
                    public void verified(String dataset, URI location, CheckpointStats s) {
                        stats.set(s);
                    }
                });
        try (CairnContext ctx = builder.checkpointDir(dir.toUri().toString()).build()) {
            if (warmup > 0) {
                Dataset<?> w = pipeline(ctx, scenario, warmup, partitions);
                w.checkpoint();
                w.count();
                w.count();
                // Left in place (a live dataset reads it; the harness deletes the whole directory after the run).
                MAP_CALLS.reset();
            }
            Dataset<?> data = pipeline(ctx, scenario, records, partitions);
            data.checkpoint();
            long t0 = System.nanoTime();
            long first = data.count();
            long t1 = System.nanoTime();
            long callsAfterCheckpoint = MAP_CALLS.sum();
            long second = data.count();
            long t2 = System.nanoTime();
            if (first != records || second != records || !data.isCheckpointed()) {
                throw new IllegalStateException("expected " + records + " records twice and a checkpoint, found " + first + ", "
                        + second + ", checkpointed=" + data.isCheckpointed());
            }
            Path location = Path.of(data.checkpointLocation().orElseThrow());
            long[] bytes = Result.bytesOnDisk(location, "part-");
            CheckpointStats s = stats.get();
            new Result()
                    .put("checkpointMs", Result.millis(t1 - t0))
                    .put("rereadMs", Result.millis(t2 - t1))
                    .put("records", first)
                    .put("mapCalls", callsAfterCheckpoint)
                    .put("mapCallsTotal", MAP_CALLS.sum())
                    .put("partBytes", bytes[0])
                    .put("diskBytes", bytes[1])
                    .put("files", bytes[2])
                    .put("writeMs", s == null ? -1 : s.writeTime().toMillis())
                    .put("verifyMs", s == null ? -1 : s.verifyTime().toMillis())
                    .put("peakHeap", memory.peakHeap())
                    .put("peakLiveHeap", memory.peakLiveHeap())
                    .put("peakRss", ChildStats.peakRss())
                    .put("gcMs", ChildStats.gcMillis())
                    .put("gcCount", ChildStats.gcCount())
                    .print();
        }
    }

    static Dataset<?> pipeline(CairnContext ctx, String scenario, long records, int partitions) {
        switch (scenario) {
            case "points":
                return ctx.range(0, records, partitions).map(id -> {
                    MAP_CALLS.increment();
                    return new Pair<>(id, Workload.features(id));
                });
            case "blobs":
                return ctx.range(0, records, partitions).map(id -> {
                    MAP_CALLS.increment();
                    return blob;
                });
            default:
                throw new IllegalArgumentException("unknown scenario " + scenario);
        }
    }
}
