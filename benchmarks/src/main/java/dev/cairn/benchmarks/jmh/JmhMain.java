package dev.cairn.benchmarks.jmh;

import dev.cairn.benchmarks.charts.Charts;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import dev.cairn.benchmarks.harness.QuietMachine;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks of this package and writes, into {@code --out}: {@code jmh-results.csv}
 * (every score as JMH reports it), {@code jmh-serializers.csv}, {@code jmh-part-files.csv},
 * {@code jmh-verify.csv} (the derived figures: records/s, bytes/record, MB/s, s/GB) and a PNG chart
 * for each ({@code --replot FILE} redraws them from an earlier {@code jmh-results.csv} instead). Waits for a quiet machine first (1-minute load below {@code --max-load}, default 0.5,
 * for up to {@code --load-wait} minutes, default 45). Arguments: {@code --out DIR --work DIR}, then any JMH command-line options and
 * benchmark regexps (default: all benchmarks of this package, with their annotated settings).
 */
public final class JmhMain {
    private JmhMain() {
    }

    public static void main(String[] argv) throws Exception {
        Path out = null;
        Path replot = null;
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "cairn-bench");
        double maxLoad = 0.5;
        long loadWait = 45;
        List<String> jmhArgs = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--out")) {
                out = Path.of(argv[++i]);
            } else if (argv[i].equals("--work")) {
                work = Path.of(argv[++i]);
            } else if (argv[i].equals("--replot")) {
                replot = Path.of(argv[++i]);
            } else if (argv[i].equals("--max-load")) {
                maxLoad = Double.parseDouble(argv[++i]);
            } else if (argv[i].equals("--load-wait")) {
                loadWait = Long.parseLong(argv[++i]);
            } else {
                jmhArgs.add(argv[i]);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("missing --out DIR");
        }
        Files.createDirectories(out);
        Files.createDirectories(work);
        if (replot != null) {
            // Redraw the derived CSV files and charts from an earlier jmh-results.csv, without running anything.
            List<String[]> rows = new ArrayList<>();
            for (String line : Files.readAllLines(replot).subList(1, Files.readAllLines(replot).size())) {
                String[] f = line.split(",");
                rows.add(new String[] {f[0], f[1], f[3], f[4]});
            }
            derived(rows, out);
            return;
        }
        CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(new String[0]));
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli)
                .jvmArgsAppend("-D" + Backends.WORK_PROPERTY + "=" + work);
        if (cli.getIncludes().isEmpty()) {
            options.include(JmhMain.class.getPackageName() + "\\..*Benchmark\\..*");
        }
        String note = QuietMachine.await(maxLoad, loadWait);
        String loadBefore = QuietMachine.load1();
        Collection<RunResult> results = new Runner(options.build()).run();
        Files.writeString(out.resolve("jmh-machine.txt"), String.format(Locale.ROOT,
                "date=%s%nload1_before=%s%nload1_after=%s%nnote=%s%njava=%s%n", java.time.Instant.now(), loadBefore,
                QuietMachine.load1(), note == null ? "" : note, System.getProperty("java.runtime.version")));
        new JmhMain().report(results, out);
    }

    private void report(Collection<RunResult> results, Path out) throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (PrintWriter csv = csv(out, "jmh-results.csv")) {
            csv.println("benchmark,params,mode,score,error,unit");
            for (RunResult r : results) {
                String bench = r.getParams().getBenchmark();
                bench = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
                StringBuilder params = new StringBuilder();
                for (String k : r.getParams().getParamsKeys()) {
                    params.append(params.length() == 0 ? "" : ";").append(k).append('=').append(r.getParams().getParam(k));
                }
                var score = r.getPrimaryResult();
                csv.printf(Locale.ROOT, "%s,%s,%s,%.3f,%.3f,%s%n", bench, params, r.getParams().getMode().shortLabel(), score.getScore(),
                        score.getScoreError(), score.getScoreUnit());
                rows.add(new String[] {bench, params.toString(), Double.toString(score.getScore()), Double.toString(score.getScoreError())});
            }
        }
        derived(rows, out);
    }

    private static void derived(List<String[]> rows, Path out) throws IOException {
        serializers(rows, out);
        partFiles(rows, out);
        verify(rows, out);
    }

    private static double score(List<String[]> rows, String bench, String params) {
        for (String[] r : rows) {
            if (r[0].equals(bench) && r[1].equals(params)) {
                return Double.parseDouble(r[2]);
            }
        }
        return Double.NaN;
    }

    private static void serializers(List<String[]> rows, Path out) throws IOException {
        if (rows.stream().noneMatch(r -> r[0].startsWith("SerializerBenchmark"))) {
            return;
        }
        List<String> labels = new ArrayList<>();
        Map<String, List<Double>> speed = new LinkedHashMap<>();
        speed.put("write (M records/s)", new ArrayList<>());
        speed.put("read (M records/s)", new ArrayList<>());
        Map<String, List<Double>> size = new LinkedHashMap<>();
        size.put("bytes / record", new ArrayList<>());
        try (PrintWriter csv = csv(out, "jmh-serializers.csv")) {
            csv.println("serializer,compression,write_records_per_s,read_records_per_s,bytes_per_record,write_mb_per_s,read_mb_per_s");
            for (String s : List.of("kryo", "java")) {
                for (String c : List.of("none", "lz4", "zstd")) {
                    String params = "serializer=" + s + ";compression=" + c;
                    double w = score(rows, "SerializerBenchmark.write", "compression=" + c + ";serializer=" + s);
                    if (Double.isNaN(w)) {
                        w = score(rows, "SerializerBenchmark.write", params);
                    }
                    double r = score(rows, "SerializerBenchmark.read", "compression=" + c + ";serializer=" + s);
                    if (Double.isNaN(r)) {
                        r = score(rows, "SerializerBenchmark.read", params);
                    }
                    if (Double.isNaN(w) && Double.isNaN(r)) {
                        continue;
                    }
                    double b = SerializerBenchmark.bytesPerRecord(s, c);
                    csv.printf(Locale.ROOT, "%s,%s,%.0f,%.0f,%.2f,%.1f,%.1f%n", s, c, w, r, b, w * b / 1e6, r * b / 1e6);
                    labels.add(s + " + " + c);
                    speed.get("write (M records/s)").add(w / 1e6);
                    speed.get("read (M records/s)").add(r / 1e6);
                    size.get("bytes / record").add(b);
                }
            }
        }
        Charts.bars(out.resolve("jmh-serializers.png"), "Serializers in memory, (Long, double[4]) records (JMH, higher is better)",
                "million records / s (one thread)", labels, speed);
        Charts.bars(out.resolve("jmh-serializer-bytes.png"), "Bytes per record by serializer and codec (lower is better)",
                "bytes / record", labels, size);
    }

    private static void partFiles(List<String[]> rows, Path out) throws IOException {
        if (rows.stream().noneMatch(r -> r[0].startsWith("PartFileBenchmark"))) {
            return;
        }
        long[] bytes = PartFileBenchmark.partBytes();
        double pointBytes = bytes[0] / (double) PartFileBenchmark.POINTS;
        double blobBytes = bytes[1] / (double) PartFileBenchmark.BLOBS;
        List<String> labels = new ArrayList<>();
        Map<String, List<Double>> mbps = new LinkedHashMap<>();
        for (String s : List.of("write points", "read points", "write 1 MiB records", "read 1 MiB records")) {
            mbps.put(s, new ArrayList<>());
        }
        try (PrintWriter csv = csv(out, "jmh-part-files.csv")) {
            csv.println("backend,records,operation,records_per_s,mb_per_s");
            for (String backend : List.of("memory", "file", "file-nofsync")) {
                String p = "backend=" + backend;
                double wp = score(rows, "PartFileBenchmark.writePoints", p);
                double rp = score(rows, "PartFileBenchmark.readPoints", p);
                double wb = score(rows, "PartFileBenchmark.writeBlobs", p);
                double rb = score(rows, "PartFileBenchmark.readBlobs", p);
                if (Double.isNaN(wp) && Double.isNaN(rp) && Double.isNaN(wb) && Double.isNaN(rb)) {
                    continue;
                }
                csv.printf(Locale.ROOT, "%s,points,write,%.0f,%.1f%n", backend, wp, wp * pointBytes / 1e6);
                csv.printf(Locale.ROOT, "%s,points,read,%.0f,%.1f%n", backend, rp, rp * pointBytes / 1e6);
                csv.printf(Locale.ROOT, "%s,1MiB,write,%.1f,%.1f%n", backend, wb, wb * blobBytes / 1e6);
                csv.printf(Locale.ROOT, "%s,1MiB,read,%.1f,%.1f%n", backend, rb, rb * blobBytes / 1e6);
                labels.add(backend.equals("file") ? "file:// (fsync)" : backend.equals("file-nofsync") ? "file:// (no fsync)" : "memory://");
                List<List<Double>> cols = new ArrayList<>(mbps.values());
                cols.get(0).add(wp * pointBytes / 1e6);
                cols.get(1).add(rp * pointBytes / 1e6);
                cols.get(2).add(wb * blobBytes / 1e6);
                cols.get(3).add(rb * blobBytes / 1e6);
            }
        }
        Charts.bars(out.resolve("jmh-part-files.png"), "One part file through PartWriter / PartReader, Kryo, one thread (JMH, higher is better)",
                "MB / s", labels, mbps);
    }

    private static void verify(List<String[]> rows, Path out) throws IOException {
        if (rows.stream().noneMatch(r -> r[0].startsWith("VerifyBenchmark"))) {
            return;
        }
        double gb = VerifyBenchmark.BYTES / 1e9;
        List<String> labels = new ArrayList<>();
        Map<String, List<Double>> cost = new LinkedHashMap<>();
        cost.put("seconds per GB", new ArrayList<>());
        try (PrintWriter csv = csv(out, "jmh-verify.csv")) {
            csv.println("what,backend,ms_per_part,part_bytes,s_per_gb,gb_per_s");
            for (String backend : List.of("memory", "file")) {
                for (String b : List.of("verifyPart", "readPart")) {
                    double ms = score(rows, "VerifyBenchmark." + b, "backend=" + backend);
                    if (Double.isNaN(ms)) {
                        continue;
                    }
                    double sPerGb = ms / 1000 / gb;
                    csv.printf(Locale.ROOT, "%s,%s,%.2f,%d,%.4f,%.2f%n", b, backend, ms, VerifyBenchmark.BYTES, sPerGb, 1 / sPerGb);
                    labels.add((b.equals("verifyPart") ? "verify (read + CRC32C), " : "read only, ") + backend + "://");
                    cost.get("seconds per GB").add(sPerGb);
                }
            }
            double ms = score(rows, "VerifyBenchmark.crc32cOnly", "backend=memory");
            if (Double.isNaN(ms)) {
                ms = score(rows, "VerifyBenchmark.crc32cOnly", "backend=file");
            }
            if (!Double.isNaN(ms)) {
                double sPerGb = ms / 1000 / gb;
                csv.printf(Locale.ROOT, "crc32cOnly,none,%.2f,%d,%.4f,%.2f%n", ms, VerifyBenchmark.BYTES, sPerGb, 1 / sPerGb);
                labels.add("CRC32C alone (byte[])");
                cost.get("seconds per GB").add(sPerGb);
            }
        }
        Charts.bars(out.resolve("jmh-verify.png"), "Cost of checksum verification per GB, one thread (JMH, lower is better)",
                "seconds / GB", labels, cost);
    }

    private static PrintWriter csv(Path out, String name) throws IOException {
        return new PrintWriter(Files.newBufferedWriter(out.resolve(name), StandardCharsets.UTF_8));
    }
}
