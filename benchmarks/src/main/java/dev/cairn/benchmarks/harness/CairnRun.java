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
 * --serializer kryo|java --compression none|lz4|zstd --fsync true|false --verify auto|checksum|size
 * --dir /tmp/x --warmup N --breakdown false}. Without {@code --verify}, Cairn's default applies.
 * With {@code --warmup N > 0} the same pipeline first runs once over N records in another
 * directory (not measured). With {@code --breakdown true} it then times the pieces of a
 * checkpoint on their own (see {@link #breakdown}).
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
                .option("cairn.local.fsync", args.get("fsync", "true"))
                .checkpointListener(new CheckpointListener() {
                    @Override
                    public void verified(String dataset, URI location, CheckpointStats s) {
                        stats.set(s);
                    }
                });
        String verify = args.get("verify", null);
        if (verify != null) { // else Cairn's default
            builder.option("cairn.checkpoint.verify", verify);
        }
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
            long c0 = ChildStats.processCpuNanos();
            long t0 = System.nanoTime();
            long first = data.count();
            long t1 = System.nanoTime();
            long c1 = ChildStats.processCpuNanos();
            long callsAfterCheckpoint = MAP_CALLS.sum();
            long second = data.count();
            long t2 = System.nanoTime();
            long c2 = ChildStats.processCpuNanos();
            if (first != records || second != records || !data.isCheckpointed()) {
                throw new IllegalStateException("expected " + records + " records twice and a checkpoint, found " + first + ", "
                        + second + ", checkpointed=" + data.isCheckpointed());
            }
            Path location = Path.of(data.checkpointLocation().orElseThrow());
            long[] bytes = Result.bytesOnDisk(location, "part-");
            CheckpointStats s = stats.get();
            Result result = new Result();
            long callsTotal = MAP_CALLS.sum();
            if (args.getBoolean("breakdown", false)) {
                breakdown(ctx, result, scenario, records, partitions, parallelism, args.get("serializer", "kryo"), bytes[0]);
            }
            result
                    .put("checkpointMs", Result.millis(t1 - t0))
                    .put("rereadMs", Result.millis(t2 - t1))
                    .put("checkpointCpuMs", Result.millis(c1 - c0))
                    .put("rereadCpuMs", Result.millis(c2 - c1))
                    .put("records", first)
                    .put("mapCalls", callsAfterCheckpoint)
                    .put("mapCallsTotal", callsTotal)
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

    /**
     * After the measured actions, in the same JVM: where a checkpoint's time goes, part by part.
     * {@code computeMs}: the pipeline counted without a checkpoint (records built, nothing
     * written). {@code serializeMs}: the pipeline's records serialized, each partition to a
     * stream that discards the bytes (build + serialization, no CRC, no I/O). {@code crcMs}:
     * CRC32C over as many bytes as the parts hold, split over {@code parallelism} threads, from
     * a 1 MiB array (the checksum alone).
     */
    private static void breakdown(CairnContext ctx, Result result, String scenario, long records, int partitions, int parallelism,
                                  String serializer, long partBytes) throws Exception {
        for (int round = 0; round < 2; round++) { // the first round warms these code paths up, as the measured run was
            long t0 = System.nanoTime();
            long n = pipeline(ctx, scenario, records, partitions).count();
            long t1 = System.nanoTime();
            dev.cairn.serde.Serializer ser = dev.cairn.serde.Serializers.forName(serializer, dev.cairn.config.CairnOptions.of(java.util.Map.of()));
            long m = pipeline(ctx, scenario, records, partitions).mapPartitions(it -> {
                long c = 0;
                try (dev.cairn.serde.RecordOutput out = ser.newOutput(java.io.OutputStream.nullOutputStream())) {
                    while (it.hasNext()) {
                        out.write(it.next());
                        c++;
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                return java.util.List.of(c).iterator();
            }).reduce(Long::sum);
            long t2 = System.nanoTime();
            long crcNanos = crc(partBytes, parallelism);
            if (n != records || m != records) {
                throw new IllegalStateException("breakdown: expected " + records + " records, found " + n + " and " + m);
            }
            result.put("computeMs", Result.millis(t1 - t0)).put("serializeMs", Result.millis(t2 - t1)).put("crcMs", Result.millis(crcNanos));
        }
    }

    private static long crc(long bytes, int threads) throws InterruptedException {
        byte[] buffer = new byte[1 << 20];
        new java.util.Random(1).nextBytes(buffer);
        Thread[] workers = new Thread[threads];
        long t0 = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            workers[i] = new Thread(() -> {
                java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                for (long left = bytes / threads; left > 0; left -= buffer.length) {
                    crc.update(buffer, 0, (int) Math.min(left, buffer.length));
                }
                if (crc.getValue() == 42) {
                    System.out.print("");
                }
            });
            workers[i].start();
        }
        for (Thread w : workers) {
            w.join();
        }
        return System.nanoTime() - t0;
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
