package dev.cairn.benchmarks.s3scale;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.benchmarks.charts.Charts;
import dev.cairn.benchmarks.harness.Args;
import dev.cairn.benchmarks.harness.QuietMachine;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointStats;
import dev.cairn.testkit.LatencyFront;
import dev.cairn.testkit.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * S3 at scale (issue 15, item 4): checkpoints and reloads a dataset of many small partitions on
 * S3Proxy behind a {@link LatencyFront} that holds every request for a fixed latency, and compares
 * each phase with the bound {@code 1.3 × requests × latency ÷ concurrency}, where {@code requests}
 * is what the front counted in that phase.
 *
 * <p>Concurrency: the harness sets {@code cairn.s3.upload.concurrency} and the context's worker
 * threads to the same {@code --concurrency}. A part smaller than {@code cairn.s3.part-size} is one
 * PUT, sent by the task that wrote it, so for small parts the requests in flight are the tasks
 * running; {@code cairn.s3.upload.concurrency} bounds the part uploads of one multipart writer.
 *
 * <p>Phases: <b>write</b> from the first part to the commit of {@code _manifest.json} (Cairn's
 * {@link CheckpointStats#writeTime()}); <b>verify</b> the listing wait and the re-read of every
 * part ({@code cairn.checkpoint.verify=checksum}, the default); <b>open</b> a second context's
 * {@code readCheckpoint} (manifest read, listing wait); <b>read</b> its {@code count()}.
 *
 * <p>Arguments: {@code --partitions 10000 --records-per-part 100 --concurrency 8 --latency-ms 20
 * --if-none-match ignore --prefix-spread 0 --out docs/benchmarks}. {@code --if-none-match enforce} makes the front
 * refuse conditional writes over existing objects as AWS S3 does (S3Proxy ignores the header):
 * the store probe then finds it enforced and parts go without the HEAD before their PUT.
 * {@code --prefix-spread N} sets {@code cairn.checkpoint.prefix-spread}; the CSV row records
 * neither, so such runs belong in another {@code --out}. Appends one row to {@code s3scale.csv} in {@code --out}, draws
 * {@code s3scale.png}, and prints a Markdown table.
 *
 * <p>Run with {@code mvn -B -q -pl benchmarks -am -DskipTests -P s3,s3scale verify
 * -Ds3scale.args="--partitions 10000 --concurrency 8"}.
 */
public final class S3Scale {
    private static final String BUCKET = "cairn-bench";

    private S3Scale() {
    }

    /** Requests of one phase and its time. */
    record Phase(String name, long millis, Map<LatencyFront.Kind, Long> requests, int peakInFlight, long cpuMillis) {
        long total() {
            return requests.values().stream().mapToLong(Long::longValue).sum();
        }

        double boundMillis(long latencyMillis, int concurrency) {
            return 1.3 * total() * latencyMillis / concurrency;
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int partitions = args.getInt("partitions", 10000);
        int perPart = args.getInt("records-per-part", 100);
        int concurrency = args.getInt("concurrency", 8);
        long latency = args.getLong("latency-ms", 20);
        String ifNoneMatch = args.get("if-none-match", "ignore");
        if (!ifNoneMatch.equals("ignore") && !ifNoneMatch.equals("enforce")) {
            throw new IllegalArgumentException("--if-none-match: expected ignore or enforce, found '" + ifNoneMatch + "'");
        }
        int spread = args.getInt("prefix-spread", 0);
        Path out = Path.of(args.get("out", "docs/benchmarks"));
        // HttpURLConnection keeps 5 idle connections per host by default: the front forwards many at once.
        System.setProperty("http.maxConnections", "512");
        // The JDK's HTTP server leaves Nagle's algorithm on unless told otherwise: a response written as headers, then body,
        // then waits for the client's delayed ACK (~40 ms), which would be measured as the store's latency.
        System.setProperty("sun.net.httpserver.nodelay", "true");

        String loadBefore = QuietMachine.loadAverages();
        System.out.printf(Locale.ROOT, "s3scale: %d partitions x %d records, concurrency %d, latency %d ms, If-None-Match %sd by"
                + " the store, prefix spread %d; load %s%n", partitions, perPart, concurrency, latency, ifNoneMatch, spread, loadBefore);
        S3ProxyServer s3proxy = S3ProxyServer.builder().anonymous().buckets(BUCKET).start();
        List<Phase> phases = new ArrayList<>();
        long manifestBytes;
        Map<LatencyFront.Kind, Double> backend;
        try (s3proxy; LatencyFront front = new LatencyFront(s3proxy.endpoint(), latency,
                ifNoneMatch.equals("enforce"))) {
            Map<String, String> options = new LinkedHashMap<>();
            options.put("cairn.s3.endpoint", front.endpoint().toString());
            options.put("cairn.s3.region", "us-east-1");
            options.put("cairn.s3.path-style-access", "true");
            options.put("cairn.s3.access-key", "bench");
            options.put("cairn.s3.secret-key", "bench-secret");
            options.put("cairn.s3.upload.concurrency", Integer.toString(concurrency));
            options.put("cairn.s3.max-connections", Integer.toString(Math.max(64, 2 * concurrency)));
            if (spread > 0) {
                options.put("cairn.checkpoint.prefix-spread", Integer.toString(spread));
            }

            AtomicReference<Map<LatencyFront.Kind, Long>> atStart = new AtomicReference<>();
            AtomicReference<Map<LatencyFront.Kind, Long>> atCommit = new AtomicReference<>();
            AtomicReference<Map<LatencyFront.Kind, Long>> atVerified = new AtomicReference<>();
            AtomicReference<CheckpointStats> stats = new AtomicReference<>();
            AtomicReference<Integer> peakWrite = new AtomicReference<>();
            long[] cpu = new long[3]; // process CPU at start, commit, verified
            CheckpointListener listener = new CheckpointListener() {
                @Override
                public void started(String dataset, URI location) {
                    atStart.set(front.counts());
                    cpu[0] = cpuMillis();
                    front.resetPeak();
                }

                @Override
                public void committed(String dataset, URI location, CheckpointManifest manifest) {
                    atCommit.set(front.counts());
                    cpu[1] = cpuMillis();
                    peakWrite.set(front.peakInFlight());
                    front.resetPeak();
                }

                @Override
                public void verified(String dataset, URI location, CheckpointStats s) {
                    atVerified.set(front.counts());
                    cpu[2] = cpuMillis();
                    stats.set(s);
                }
            };
            URI location;
            long eagerMillis;
            Map<LatencyFront.Kind, Long> before;
            Map<LatencyFront.Kind, Long> after;
            int peakVerify;
            long cpuBefore;
            long cpuAfter;
            try (CairnContext ctx = CairnContext.builder().appName("s3scale").parallelism(concurrency).options(options)
                    .checkpointDir("s3://" + BUCKET + "/s3scale").checkpointListener(listener).build()) {
                Dataset<Long> data = ctx.range(0, (long) partitions * perPart, partitions);
                before = front.counts();
                cpuBefore = cpuMillis();
                long t0 = System.nanoTime();
                data.checkpoint(CheckpointMode.EAGER);
                eagerMillis = (System.nanoTime() - t0) / 1_000_000;
                after = front.counts();
                cpuAfter = cpuMillis();
                peakVerify = front.peakInFlight();
                location = data.checkpointLocation().orElseThrow();
            }
            CheckpointStats s = stats.get();
            phases.add(new Phase("write", s.writeTime().toMillis(), minus(atCommit.get(), atStart.get()), peakWrite.get(),
                    cpu[1] - cpu[0]));
            phases.add(new Phase("verify", s.verifyTime().toMillis(), minus(atVerified.get(), atCommit.get()), peakVerify,
                    cpu[2] - cpu[1]));
            phases.add(new Phase("checkpoint (all)", eagerMillis, minus(after, before), Math.max(peakWrite.get(), peakVerify),
                    cpuAfter - cpuBefore));
            manifestBytes = s3proxy.blobStore().blobMetadata(BUCKET, location.getPath().substring(1) + "/_manifest.json").getSize();

            try (CairnContext ctx = CairnContext.builder().appName("s3scale-reader").parallelism(concurrency).options(options).build()) {
                Map<LatencyFront.Kind, Long> c0 = front.counts();
                front.resetPeak();
                long u0 = cpuMillis();
                long t0 = System.nanoTime();
                Dataset<Long> back = ctx.readCheckpoint(location);
                long t1 = System.nanoTime();
                long u1 = cpuMillis();
                Map<LatencyFront.Kind, Long> c1 = front.counts();
                int peakOpen = front.peakInFlight();
                front.resetPeak();
                long n = back.count();
                long t2 = System.nanoTime();
                long u2 = cpuMillis();
                Map<LatencyFront.Kind, Long> c2 = front.counts();
                if (n != (long) partitions * perPart) {
                    throw new IllegalStateException("expected " + (long) partitions * perPart + " records back, found " + n);
                }
                phases.add(new Phase("open (readCheckpoint)", (t1 - t0) / 1_000_000, minus(c1, c0), peakOpen, u1 - u0));
                phases.add(new Phase("read (count)", (t2 - t1) / 1_000_000, minus(c2, c1), front.peakInFlight(), u2 - u1));
                backend = front.backendMillisPerRequest();
                phases.add(new Phase("reload (all)", (t2 - t0) / 1_000_000, minus(c2, c0), Math.max(peakOpen, front.peakInFlight()),
                        u2 - u0));
            }
        }
        String loadAfter = QuietMachine.loadAverages();
        report(phases, partitions, perPart, concurrency, latency, manifestBytes, loadBefore, loadAfter, out);
        StringBuilder b = new StringBuilder("\nS3Proxy behind the front, mean ms per request (after the " + latency + " ms hold):");
        backend.forEach((k, v) -> b.append(String.format(Locale.ROOT, " %s %.1f;", k, v)));
        System.out.println(b);
    }

    private static void report(List<Phase> phases, int partitions, int perPart, int concurrency, long latency, long manifestBytes,
                               String loadBefore, String loadAfter, Path out) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%n%d partitions x %d records, concurrency %d, latency %d ms, manifest %,d bytes;"
                + " load before %s, after %s%n%n", partitions, perPart, concurrency, latency, manifestBytes, loadBefore, loadAfter));
        md.append("| phase | requests | LIST | GET | HEAD | PUT | other | bound 1.3 × req × ").append(latency)
                .append(" ms ÷ ").append(concurrency).append(" | measured | measured ÷ (req × ").append(latency).append(" ms ÷ ")
                .append(concurrency).append("), target ≤ 1.3 | peak in flight | process CPU | CPU ms per request |\n");
        md.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        Files.createDirectories(out);
        Path csv = out.resolve("s3scale.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "date,partitions,records_per_part,concurrency,latency_ms,phase,requests,list,get,head,put,other,"
                    + "bound_ms,measured_ms,peak_in_flight,cpu_ms,manifest_bytes,load_before,load_after\n");
        }
        StringBuilder rows = new StringBuilder();
        String date = Instant.now().toString();
        List<String> names = new ArrayList<>();
        List<Double> bounds = new ArrayList<>();
        List<Double> measured = new ArrayList<>();
        for (Phase p : phases) {
            Map<LatencyFront.Kind, Long> r = p.requests();
            long other = p.total() - r.get(LatencyFront.Kind.LIST) - r.get(LatencyFront.Kind.GET) - r.get(LatencyFront.Kind.HEAD)
                    - r.get(LatencyFront.Kind.PUT);
            double bound = p.boundMillis(latency, concurrency);
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %,d | %,.0f ms | %,d ms | %.2f | %d | %,d ms | %.1f |%n",
                    p.name(), p.total(), r.get(LatencyFront.Kind.LIST), r.get(LatencyFront.Kind.GET), r.get(LatencyFront.Kind.HEAD),
                    r.get(LatencyFront.Kind.PUT), other, bound, p.millis(), bound == 0 ? 0 : 1.3 * p.millis() / bound, p.peakInFlight(),
                    p.cpuMillis(), p.total() == 0 ? 0 : (double) p.cpuMillis() / p.total()));
            rows.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%d,%s,%d,%d,%d,%d,%d,%d,%.0f,%d,%d,%d,%d,%s,%s%n", date, partitions, perPart,
                    concurrency, latency, p.name(), p.total(), r.get(LatencyFront.Kind.LIST), r.get(LatencyFront.Kind.GET),
                    r.get(LatencyFront.Kind.HEAD), r.get(LatencyFront.Kind.PUT), other, bound, p.millis(), p.peakInFlight(),
                    p.cpuMillis(), manifestBytes, loadBefore, loadAfter));
            names.add(p.name());
            bounds.add(bound / 1000.0);
            measured.add(p.millis() / 1000.0);
        }
        Files.writeString(csv, rows.toString(), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        System.out.print(md);
        Map<String, List<Double>> series = new LinkedHashMap<>();
        series.put("bound 1.3 × requests × " + latency + " ms ÷ " + concurrency, bounds);
        series.put("measured", measured);
        Charts.bars(out.resolve("s3scale-c" + concurrency + ".png"), String.format(Locale.ROOT,
                "S3 at scale: %,d partitions, %d ms per request, concurrency %d", partitions, latency, concurrency), "seconds", names,
                series);
    }

    private static Map<LatencyFront.Kind, Long> minus(Map<LatencyFront.Kind, Long> a, Map<LatencyFront.Kind, Long> b) {
        Map<LatencyFront.Kind, Long> d = new EnumMap<>(LatencyFront.Kind.class);
        for (LatencyFront.Kind k : LatencyFront.Kind.values()) {
            d.put(k, a.getOrDefault(k, 0L) - b.getOrDefault(k, 0L));
        }
        return d;
    }

    /** CPU time of this whole process (Cairn, the front and S3Proxy), in ms. */
    private static long cpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1_000_000;
    }
}
