package dev.cairn.benchmarks.async;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.benchmarks.charts.Charts;
import dev.cairn.benchmarks.harness.Args;
import dev.cairn.benchmarks.harness.QuietMachine;
import dev.cairn.benchmarks.harness.Result;
import dev.cairn.ml.PeriodicCheckpointer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long an iterative job is blocked by its checkpoints, synchronous against asynchronous
 * ({@link CheckpointMode#ASYNC}), on {@code file://} and on {@code s3://} against an in-process
 * S3 server with added latency per request (issue 12's benchmark).
 *
 * <p>The job: {@code --records} doubles in {@code --partitions} partitions, {@code --iterations}
 * iterations of a map, a {@link PeriodicCheckpointer} checkpointing every {@code --interval}-th
 * update, {@code count()} as each iteration's action. Each iteration is timed from the map to
 * the end of its action. Three modes run alternately, each in a fresh context: {@code none}
 * (the checkpointer persists but never checkpoints: the compute time), {@code sync} (the default
 * lazy mode: the action writes, commits and verifies) and {@code async}. The time a checkpoint
 * blocks the loop is its iteration's time minus the same iteration's median time in mode
 * {@code none}; the total includes waiting for the last background checkpoint to commit.
 * {@code --max-in-flight N} (default 1, the checkpointer's default) lets the async mode keep up
 * to N checkpoints uploading at once.
 *
 * <pre>
 * mvn -B -pl benchmarks -am -DskipTests -P s3,async verify -Dasync.args="--runs 5"
 * </pre>
 */
public final class AsyncCheckpointBench {
    private static final List<String> MODES = List.of("none", "sync", "async");

    private AsyncCheckpointBench() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        long records = args.getLong("records", 2_000_000);
        int partitions = args.getInt("partitions", 8);
        int iterations = args.getInt("iterations", 10);
        int interval = args.getInt("interval", 2);
        int runs = args.getInt("runs", 5);
        long latencyMs = args.getLong("latency-ms", 20);
        int maxInFlight = args.getInt("max-in-flight", 1);
        List<String> stores = List.of(args.get("stores", "file,s3").split(","));
        Path out = Path.of(args.get("out", "docs/benchmarks/async"));
        double maxLoad = args.getDouble("max-load", 1.0);
        long loadWait = args.getLong("load-wait", 20);
        Files.createDirectories(out);

        String waited = QuietMachine.await(maxLoad, loadWait);
        String loadBefore = QuietMachine.load1() + (waited == null ? "" : " (" + waited + ")");
        System.out.printf(Locale.ROOT, "async benchmark: %,d records, %d partitions, %d iterations, checkpoint every %d, "
                + "%d runs per mode, stores %s, S3 latency %d ms per request, async max in flight %d; load before: %s%n",
                records, partitions, iterations, interval, runs, stores, latencyMs, maxInFlight, loadBefore);

        List<Run> all = new ArrayList<>();
        for (String store : stores) {
            try (Store target = Store.open(store, latencyMs)) {
                // one unmeasured run per mode first: JIT, the store's first connections
                for (String mode : MODES) {
                    runJob(target, mode, Math.min(records, 200_000), partitions, iterations, interval, maxInFlight);
                }
                for (int r = 0; r < runs; r++) {
                    for (String mode : MODES) {
                        Run run = new Run(store, mode, r, QuietMachine.load1(),
                                runJob(target, mode, records, partitions, iterations, interval, maxInFlight), interval);
                        all.add(run);
                        System.out.printf(Locale.ROOT, "  %-4s %-5s run %d: total %,6d ms, iterations %s%n",
                                store, mode, r, run.totalMs(), Arrays.toString(run.iterationMs()));
                    }
                }
                target.reportRequests(System.out);
            }
        }
        report(all, stores, out, records, partitions, iterations, interval, runs, latencyMs, maxInFlight, loadBefore);
    }

    /** Times one job; returns the iteration times then the total, in nanoseconds. */
    static long[] runJob(Store store, String mode, long records, int partitions, int iterations, int interval, int maxInFlight) {
        CairnContext.Builder b = CairnContext.builder().appName("async-bench-" + mode).parallelism(2)
                .checkpointDir(store.dir().toString());
        store.options().forEach(b::option);
        long[] times = new long[iterations + 1];
        try (CairnContext ctx = b.build()) {
            PeriodicCheckpointer<Double> checkpointer = PeriodicCheckpointer.<Double>builder(ctx)
                    .interval(mode.equals("none") ? Integer.MAX_VALUE : interval)
                    .keep(1)
                    .mode(mode.equals("async") ? CheckpointMode.ASYNC : CheckpointMode.LAZY)
                    .maxInFlight(mode.equals("async") ? maxInFlight : 1)
                    .build();
            Dataset<Double> current = ctx.range(0, records, partitions).map(Long::doubleValue);
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                current = current.map(v -> v * 0.999 + 1.0);
                checkpointer.update(current);
                current.count();
                times[i] = System.nanoTime() - t0;
            }
            checkpointer.awaitCheckpoints();
            times[iterations] = System.nanoTime() - start;
            checkpointer.deleteAllCheckpoints();
        }
        return times;
    }

    record Run(String store, String mode, int run, String load1, long[] nanos, int interval) {
        long totalMs() {
            return nanos[nanos.length - 1] / 1_000_000;
        }

        long[] iterationMs() {
            long[] ms = new long[nanos.length - 1];
            for (int i = 0; i < ms.length; i++) {
                ms[i] = nanos[i] / 1_000_000;
            }
            return ms;
        }

        boolean checkpoints(int iteration) {
            return !mode.equals("none") && (iteration + 1) % interval == 0;
        }
    }

    private static void report(List<Run> all, List<String> stores, Path out, long records, int partitions, int iterations,
                               int interval, int runs, long latencyMs, int maxInFlight, String loadBefore) throws IOException {
        try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve("async-runs.csv")))) {
            StringBuilder header = new StringBuilder("store,mode,run,load1,total_ms");
            for (int i = 1; i <= iterations; i++) {
                header.append(",iteration_").append(i).append("_ms");
            }
            csv.println(header);
            for (Run r : all) {
                StringBuilder line = new StringBuilder(String.join(",", r.store(), r.mode(), Integer.toString(r.run()), r.load1(),
                        Long.toString(r.totalMs())));
                for (long ms : r.iterationMs()) {
                    line.append(',').append(ms);
                }
                csv.println(line);
            }
        }

        StringBuilder md = new StringBuilder();
        md.append("# Asynchronous checkpoints: time the loop is blocked\n\n");
        md.append(String.format(Locale.ROOT, "%s. %,d doubles in %d partitions, %d iterations, a checkpoint every %d "
                + "(%d per job), %d runs per mode alternating, medians. S3: S3Proxy in process, %d ms added per request. "
                + "Async: at most %d checkpoint(s) uploading at once (`maxInFlight`). "
                + "1-minute load before: %s; every run's load is in `async-runs.csv`.%n%n",
                Instant.now(), records, partitions, iterations, interval, iterations / interval, runs, latencyMs, maxInFlight,
                loadBefore));
        md.append("| store | blocked per checkpoint, sync (ms) | blocked per checkpoint, async (ms) | async / sync | "
                + "job total, none / sync / async (ms) | target | verdict |\n|---|--:|--:|--:|--:|---|---|\n");
        Map<String, List<Double>> blockedSeries = new LinkedHashMap<>();
        blockedSeries.put("sync", new ArrayList<>());
        blockedSeries.put("async", new ArrayList<>());
        Map<String, List<Double>> totalSeries = new LinkedHashMap<>();
        for (String mode : MODES) {
            totalSeries.put(mode, new ArrayList<>());
        }
        for (String store : stores) {
            double[] baseline = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                int it = i;
                baseline[i] = Result.median(all.stream().filter(r -> r.store().equals(store) && r.mode().equals("none"))
                        .mapToDouble(r -> r.nanos()[it] / 1e6).toArray());
            }
            double sync = blocked(all, store, "sync", baseline);
            double async = blocked(all, store, "async", baseline);
            double[] totals = MODES.stream().mapToDouble(m -> Result.median(all.stream()
                    .filter(r -> r.store().equals(store) && r.mode().equals(m)).mapToDouble(Run::totalMs).toArray())).toArray();
            String target;
            boolean met;
            if (store.equals("s3")) {
                target = "async blocked <= 10% of sync";
                met = async <= 0.10 * sync;
            } else {
                target = "async total <= sync total";
                met = totals[2] <= totals[1];
            }
            md.append(String.format(Locale.ROOT, "| `%s://` | %,.0f | %,.0f | %.3f | %,.0f / %,.0f / %,.0f | %s | %s |%n",
                    store, sync, async, async / sync, totals[0], totals[1], totals[2], target, met ? "met" : "**missed**"));
            blockedSeries.get("sync").add(sync);
            blockedSeries.get("async").add(async);
            for (int m = 0; m < MODES.size(); m++) {
                totalSeries.get(MODES.get(m)).add(totals[m]);
            }
            System.out.printf(Locale.ROOT, "%s: blocked per checkpoint sync %.0f ms, async %.0f ms, ratio %.3f; totals none/sync/async "
                    + "%.0f/%.0f/%.0f ms; target %s: %s%n", store, sync, async, async / sync, totals[0], totals[1], totals[2],
                    target, met ? "met" : "MISSED");
        }
        md.append("\nBlocked time per checkpoint: the checkpoint iteration's time minus the median time of the same "
                + "iteration with no checkpoint (mode `none`), averaged over the job's checkpoints, median over runs.\n\n");
        md.append("![blocked time](async-blocked.png)\n![job time](async-total.png)\n");
        Files.writeString(out.resolve("results.md"), md.toString());
        List<String> categories = stores.stream().map(s -> s + "://").toList();
        Charts.bars(out.resolve("async-blocked.png"), "Loop blocked per checkpoint", "ms", categories, blockedSeries);
        Charts.bars(out.resolve("async-total.png"), "Job time", "ms", categories, totalSeries);
        System.out.println("wrote " + out.resolve("results.md"));
    }

    /** Median over runs of the mean blocked time of one job's checkpoint iterations. */
    private static double blocked(List<Run> all, String store, String mode, double[] baseline) {
        return Result.median(all.stream().filter(r -> r.store().equals(store) && r.mode().equals(mode)).mapToDouble(r -> {
            double sum = 0;
            int n = 0;
            for (int i = 0; i < baseline.length; i++) {
                if (r.checkpoints(i)) {
                    sum += Math.max(0, r.nanos()[i] / 1e6 - baseline[i]);
                    n++;
                }
            }
            return n == 0 ? 0 : sum / n;
        }).toArray());
    }

}
