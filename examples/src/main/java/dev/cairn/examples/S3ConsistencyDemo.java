package dev.cairn.examples;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointException;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointStats;
import dev.cairn.testkit.S3ProxyServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The failure this project started from, and how Cairn's S3 backend avoids it. A Spark job
 * checkpointed to S3, listed the directory right after writing, saw too few part files on a store
 * whose listings lagged, and failed with "Checkpoint RDD has a different number of partitions from
 * original RDD". Cairn polls the listing until every part of the manifest is visible with its size.
 *
 * <p>With no arguments, starts an embedded S3Proxy (cairn-testkit's {@code S3ProxyServer}) whose
 * listings show each new object only {@code --delay} (3 s) after it was written (reads are
 * immediate, as on S3 before December 2020),
 * then: (1) a lazy checkpoint of a 32-partition dataset to {@code s3://}, printing what the
 * listing waiter saw and the verified parts; (2) the same with polling switched off
 * ({@code cairn.s3.listing.consistency=strong}), which fails the way Spark did, but naming the
 * missing files; (3) reading both checkpoints back from a fresh context: nothing was lost.
 *
 * <p>With {@code --endpoint URL --bucket NAME} it runs step (1) and (3) against a real S3 or MinIO
 * ({@code --region}, {@code --path-style}, {@code --access-key}/{@code --secret-key}, else the
 * AWS SDK's default credentials; {@code --prefix}, default {@code cairn-demo}), and deletes what
 * it wrote.
 *
 * <pre>
 * mvn -B -q -pl examples -am -DskipTests package exec:java -Dexec.mainClass=dev.cairn.examples.S3ConsistencyDemo
 * mvn ... exec:java -Dexec.mainClass=dev.cairn.examples.S3ConsistencyDemo \
 *     -Dexec.args="--endpoint http://127.0.0.1:9000 --bucket demo --path-style --access-key minioadmin --secret-key minioadmin"
 * </pre>
 */
public final class S3ConsistencyDemo {
    private static final String KEY = "demo-access-key";
    private static final String SECRET = "demo-secret-key";

    private S3ConsistencyDemo() {
    }

    /** Runs the demo; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        int partitions = Integer.parseInt(a.getOrDefault("--partitions", "32"));
        if (a.containsKey("--endpoint") || a.containsKey("--bucket")) {
            runAgainstRealStore(a, partitions);
        } else {
            runEmbedded(Duration.ofSeconds(Long.parseLong(a.getOrDefault("--delay", "3s").replace("s", ""))), partitions);
        }
        // S3Proxy's Jetty threads are not daemons; the demo is done.
        System.exit(0);
    }

    private static void runEmbedded(Duration delay, int partitions) throws Exception {
        S3ProxyServer server = S3ProxyServer.builder().buckets("demo").credentials(KEY, SECRET).listingDelay(delay).start();
        System.out.printf("Embedded S3Proxy at %s: new objects show in listings only after %d ms%n%n", server.endpoint(), delay.toMillis());

        Map<String, String> options = new HashMap<>(server.s3Options("cairn."));
        options.put("cairn.s3.checksum", "md5"); // S3Proxy does not know the x-amz-checksum-* headers
        options.put("cairn.checkpoint.listing.timeout", "30s");
        String dir = "s3://demo/checkpoints";

        System.out.println("== 1. Lazy checkpoint with listing polling (cairn.s3.listing.consistency=eventual, the default)");
        URI good = checkpoint(dir, options, partitions);

        System.out.println();
        System.out.println("== 2. The same without polling (cairn.s3.listing.consistency=strong): what Spark did");
        Map<String, String> strong = new HashMap<>(options);
        strong.put("cairn.s3.listing.consistency", "strong");
        URI bad = null;
        try {
            checkpoint(dir, strong, partitions);
            System.out.println("   (the listing happened to be complete; raise --delay to see the failure)");
        } catch (CheckpointException e) {
            System.out.println("   Failed as expected:");
            System.out.println("   " + e.getMessage());
            bad = LAST_COMMITTED.get();
        }

        System.out.println();
        System.out.println("== 3. Nothing lost: both checkpoints read back from a new context once the store lists them");
        try (CairnContext reader = CairnContext.builder().appName("reader").options(options).build()) {
            for (URI location : bad == null ? List.of(good) : List.of(good, bad)) {
                long start = System.nanoTime();
                long n = reader.readCheckpoint(location).count();
                System.out.printf("   %s: %,d records, read and verified in %d ms%n", location, n, (System.nanoTime() - start) / 1_000_000);
            }
        }
        server.close();
    }

    private static void runAgainstRealStore(Map<String, String> a, int partitions) throws Exception {
        String bucket = a.get("--bucket");
        if (bucket == null) {
            throw new IllegalArgumentException("--bucket is required with --endpoint");
        }
        Map<String, String> options = new HashMap<>();
        if (a.containsKey("--endpoint")) {
            options.put("cairn.s3.endpoint", a.get("--endpoint"));
        }
        if (a.containsKey("--region")) {
            options.put("cairn.s3.region", a.get("--region"));
        }
        if (a.containsKey("--path-style")) {
            options.put("cairn.s3.path-style-access", "true");
        }
        if (a.containsKey("--access-key")) {
            options.put("cairn.s3.access-key", a.get("--access-key"));
            options.put("cairn.s3.secret-key", a.get("--secret-key"));
        }
        options.put("cairn.checkpoint.cleanup-on-close", "true"); // leave the bucket as we found it
        String dir = "s3://" + bucket + "/" + a.getOrDefault("--prefix", "cairn-demo") + "/" + UUID.randomUUID();
        System.out.println("== Lazy checkpoint to " + dir);
        URI location;
        try (CairnContext ctx = context(dir, options)) {
            Dataset<Long> ds = ctx.range(0, 64_000L * partitions, partitions).map(x -> x * x % 1_000_003);
            ds.checkpoint();
            long n = ds.count();
            location = ds.checkpointLocation().orElseThrow();
            System.out.printf("   count() = %,d; checkpointed: %s%n", n, ds.isCheckpointed());
            try (CairnContext reader = CairnContext.builder().appName("reader").options(options).build()) {
                System.out.printf("   read back from a new context: %,d records%n", reader.readCheckpoint(location).count());
            }
        }
        System.out.println("   deleted " + dir + " (cairn.checkpoint.cleanup-on-close=true)");
    }

    private static final AtomicReference<URI> LAST_COMMITTED = new AtomicReference<>();

    private static CairnContext context(String dir, Map<String, String> options) {
        AtomicInteger written = new AtomicInteger();
        return CairnContext.builder().appName("s3-consistency-demo").parallelism(4).checkpointDir(dir).options(options)
                .checkpointListener(new CheckpointListener() {
                    @Override
                    public void partWritten(String dataset, URI location, CheckpointManifest.Part part) {
                        written.incrementAndGet();
                    }

                    @Override
                    public void committed(String dataset, URI location, CheckpointManifest manifest) {
                        LAST_COMMITTED.set(location);
                        System.out.printf("   committed %s: %d parts written, then _manifest.json%n", location, written.get());
                        printParts(manifest);
                    }

                    @Override
                    public void verified(String dataset, URI location, CheckpointStats stats) {
                        System.out.printf("   listing waiter: %d listing%s, %d ms until every part was listed at its size and"
                                        + " re-read against its CRC32C%n", stats.listings(), stats.listings() == 1 ? "" : "s",
                                stats.verifyTime().toMillis());
                        System.out.println("   " + stats.summary());
                    }
                })
                .build();
    }

    private static URI checkpoint(String dir, Map<String, String> options, int partitions) {
        try (CairnContext ctx = context(dir, options)) {
            Dataset<Long> ds = ctx.range(0, 64_000L * partitions, partitions).map(x -> x * x % 1_000_003);
            ds.checkpoint(); // lazy: written while the next action computes the partitions
            long start = System.nanoTime();
            long n = ds.count();
            System.out.printf("   count() = %,d in %d ms; lineage is now:%n", n, (System.nanoTime() - start) / 1_000_000);
            for (String line : ds.lineage().split("\n")) {
                System.out.println("     " + line);
            }
            return ds.checkpointLocation().orElseThrow();
        }
    }

    private static void printParts(CheckpointManifest manifest) {
        List<CheckpointManifest.Part> parts = manifest.parts();
        List<Integer> shown = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            if (i < 3 || i == parts.size() - 1) {
                shown.add(i);
            }
        }
        for (int i : shown) {
            CheckpointManifest.Part p = parts.get(i);
            if (i == parts.size() - 1 && parts.size() > 4) {
                System.out.println("     ...");
            }
            System.out.printf("     %s  %,9d bytes  %,7d records  crc32c %08x%n", p.name(), p.bytes(), p.records(), p.crc32c());
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String k = args[i];
            if (!k.startsWith("--")) {
                throw new IllegalArgumentException("Cannot parse arguments (expected --name [value], found '" + k + "')");
            }
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                a.put(k, args[++i]);
            } else {
                a.put(k, "true");
            }
        }
        return a;
    }
}
