package dev.cairn.examples.secrets;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointSpec;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageRegistry;
import dev.cairn.storage.s3.S3StorageSettings;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failure scenarios of {@link SecretRedactionTest}, run in a JVM of their own with every
 * logger at {@code DEBUG} (Cairn's at {@code TRACE}) writing to standard output. Each scenario is
 * given a distinctive value for every secret option, runs a real failure, and prints what a user
 * would see of it: the exception's {@code toString}, its stack trace with every cause, and the
 * {@code toString} of the context, its options, a checkpoint spec, the S3 settings and the
 * storage. The parent scans all of it for the values.
 *
 * <p>Protocol, one scenario after another on standard output:
 * <pre>
 * BEGIN &lt;name&gt;
 * … whatever the scenario printed and logged …
 * OUTCOME &lt;name&gt; EXPECTED|UNEXPECTED|NO-FAILURE &lt;exception class&gt; in &lt;n&gt; ms
 * END &lt;name&gt;
 * </pre>
 * {@code EXPECTED} means the scenario failed the way it is meant to (the wrong secret key was
 * refused, the bucket was missing …), so the secret was really in play when the output was made.
 *
 * <p>Arguments: a properties file written by the test (endpoint, bucket, the server's
 * credentials, the canary values, a closed port) and the names of the scenarios to run.
 */
public final class SecretScenarios {
    private static final Logger LOG = LoggerFactory.getLogger(SecretScenarios.class);

    /** The bucket the scenarios that need a missing one use. */
    static final String MISSING_BUCKET = "no-such-bucket";

    private final Properties p;
    private final Map<String, String> canaries;

    private SecretScenarios(Properties p) {
        this.p = p;
        this.canaries = SecretOptions.canaries(p.getProperty("canary"));
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (InputStream in = new FileInputStream(args[0])) {
            p.load(in);
        }
        SecretScenarios s = new SecretScenarios(p);
        Map<String, Scenario> all = s.scenarios();
        List<String> names = args.length > 1 ? List.of(args).subList(1, args.length) : new ArrayList<>(all.keySet());
        for (String name : names) {
            Scenario scenario = all.get(name);
            if (scenario == null) {
                throw new IllegalArgumentException("Unknown scenario '" + name + "' (expected one of " + all.keySet() + ")");
            }
            s.run(name, scenario);
        }
        System.out.flush();
        System.err.flush();
        System.exit(0); // the SDK's and Hadoop's pools are not all daemons
    }

    /** One failure: what to do, and how to tell it failed for the intended reason. */
    private record Scenario(Action action, Predicate<String> expected) {
    }

    @FunctionalInterface
    private interface Action {
        void run() throws Exception;
    }

    private void run(String name, Scenario scenario) {
        System.out.println("BEGIN " + name);
        System.err.println("BEGIN " + name);
        String outcome;
        long start = System.nanoTime();
        try {
            scenario.action().run();
            outcome = "NO-FAILURE -";
        } catch (Throwable e) {
            report(name, e);
            outcome = (scenario.expected().test(chain(e)) ? "EXPECTED " : "UNEXPECTED ") + e.getClass().getName();
        }
        System.out.println("OUTCOME " + name + " " + outcome + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        System.out.println("END " + name);
        System.err.println("END " + name);
        System.out.flush();
        System.err.flush();
    }

    /** Everything a user may print of a failure: toString, getMessage, stack trace with causes and suppressed, and a logged error. */
    private static void report(String name, Throwable e) {
        System.out.println("EXCEPTION " + e);
        for (Throwable c = e; c != null; c = c.getCause()) {
            System.out.println("MESSAGE " + c.getClass().getName() + ": " + c.getMessage() + " | localized: " + c.getLocalizedMessage());
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        System.out.println("TRACE " + trace);
        LOG.error("Scenario {} failed", name, e);
    }

    /** The messages of {@code e} and all its causes and suppressed exceptions, one per line. */
    private static String chain(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }

    // ---------------------------------------------------------------- the scenarios

    private Map<String, Scenario> scenarios() {
        String endpoint = p.getProperty("endpoint");
        String bucket = p.getProperty("bucket");
        String closed = "127.0.0.1:" + p.getProperty("closed-port");
        Map<String, Scenario> s = new LinkedHashMap<>();

        // s3://: the server's access key with a wrong secret key (and a session token): S3 answers 403 SignatureDoesNotMatch.
        s.put("s3-wrong-secret-key", new Scenario(() -> checkpoint(s3Options(endpoint, canaries.get(SecretOptions.S3_SECRET_KEY)),
                URI.create("s3://" + bucket + "/wrong-secret"), CheckpointMode.EAGER),
                t -> t.contains("HTTP 403")));
        s.put("s3-wrong-secret-key-async", new Scenario(() -> checkpoint(s3Options(endpoint, canaries.get(SecretOptions.S3_SECRET_KEY)),
                URI.create("s3://" + bucket + "/wrong-secret-async"), CheckpointMode.ASYNC),
                t -> t.contains("HTTP 403")));
        // s3://: right credentials (the server's secret key is a canary too), a bucket that does not exist.
        s.put("s3-missing-bucket", new Scenario(() -> checkpoint(s3Options(endpoint, p.getProperty("server-secret-key")),
                URI.create("s3://" + MISSING_BUCKET + "/ckpt"), CheckpointMode.EAGER),
                t -> t.contains("NoSuchBucket") && t.contains(MISSING_BUCKET)));
        // s3://: nothing listens on the port.
        s.put("s3-unreachable-endpoint", new Scenario(() -> checkpoint(s3Options("http://" + closed, canaries.get(SecretOptions.S3_SECRET_KEY)),
                URI.create("s3://" + bucket + "/unreachable"), CheckpointMode.EAGER),
                t -> t.contains(closed) && !t.toLowerCase(java.util.Locale.ROOT).contains("corrupt")));
        // s3://: a committed checkpoint whose part is damaged afterwards, then read.
        s.put("s3-corrupt-part", new Scenario(() -> readCorrupted(s3Options(endpoint, p.getProperty("server-secret-key")),
                URI.create("s3://" + bucket + "/corrupt")), t -> t.contains("part-00001") && t.contains("CorruptPartException")));

        // Bad option values, each next to every secret option: the context refuses to build.
        badOption(s, "bad-option-s3-part-size", S3StorageSettings.PART_SIZE, "banana", endpoint);
        badOption(s, "bad-option-s3-endpoint-userinfo-no-scheme", S3StorageSettings.ENDPOINT,
                "cairn:" + canaries.get(SecretOptions.ENDPOINT_USERINFO) + "@127.0.0.1:9000", null);
        badOption(s, "bad-option-s3-endpoint-userinfo-wrong-scheme", S3StorageSettings.ENDPOINT,
                "ftp://cairn:" + canaries.get(SecretOptions.ENDPOINT_USERINFO) + "@127.0.0.1:9000", null);
        badOption(s, "bad-option-s3-endpoint-userinfo-bad-uri", S3StorageSettings.ENDPOINT,
                "http://cairn:" + canaries.get(SecretOptions.ENDPOINT_USERINFO) + "@127.0.0.1:9000/a path", null);
        badOption(s, "bad-option-s3-endpoint-userinfo", S3StorageSettings.ENDPOINT,
                "http://cairn:" + canaries.get(SecretOptions.ENDPOINT_USERINFO) + "@127.0.0.1:9000", null);
        badOption(s, "bad-option-listing-timeout", "cairn.checkpoint.listing.timeout", "soon", endpoint);
        // Read when the storage opens, not when the context is built: the checkpoint fails before any connection.
        s.put("bad-option-hdfs-sync", new Scenario(() -> {
            Map<String, String> o = secretOptions();
            o.put("cairn.hdfs.sync", "always");
            checkpoint(o, URI.create("hdfs://" + closed + "/ckpt"), CheckpointMode.EAGER);
        }, t -> t.contains("cairn.hdfs.sync")));
        s.put("bad-option-secret-key-alone", new Scenario(() -> build(without(s3Options(endpoint, canaries.get(SecretOptions.S3_SECRET_KEY)),
                S3StorageSettings.ACCESS_KEY, S3StorageSettings.SESSION_TOKEN), null), t -> t.contains(S3StorageSettings.ACCESS_KEY)));
        s.put("bad-option-session-token-alone", new Scenario(() -> build(without(s3Options(endpoint, canaries.get(SecretOptions.S3_SECRET_KEY)),
                S3StorageSettings.ACCESS_KEY, S3StorageSettings.SECRET_KEY), null), t -> t.contains(S3StorageSettings.SESSION_TOKEN)));
        s.put("bad-option-misspelt-secret-key", new Scenario(() -> {
            Map<String, String> o = without(s3Options(endpoint, canaries.get(SecretOptions.S3_SECRET_KEY)), S3StorageSettings.SECRET_KEY);
            o.put("cairn.s3.secret_key", canaries.get(SecretOptions.S3_SECRET_KEY));
            build(o, null);
        }, t -> t.contains("cairn.s3.secret_key") && t.contains("did you mean")));

        // s3a:// through storage-hdfs: temporary credentials with a wrong secret key and a session token.
        s.put("s3a-wrong-secret-key", new Scenario(() -> checkpoint(s3aOptions(endpoint, bucket), URI.create("s3a://" + bucket + "/wrong-secret"),
                CheckpointMode.EAGER), t -> t.contains("403") || t.contains("SignatureDoesNotMatch")));
        // s3a://: right credentials, given per bucket (fs.s3a.bucket.<b>.secret.key), a bucket that does not exist.
        s.put("s3a-missing-bucket", new Scenario(() -> checkpoint(s3aMissingBucketOptions(endpoint),
                URI.create("s3a://" + MISSING_BUCKET + "/ckpt"), CheckpointMode.EAGER),
                t -> t.contains(MISSING_BUCKET) && (t.contains("NoSuchBucket") || t.contains("404") || t.contains("does not exist"))));
        // hdfs://: no NameNode on the port; Hadoop's password options set.
        s.put("hdfs-unreachable-namenode", new Scenario(() -> {
            Map<String, String> o = secretOptions();
            o.put("cairn.hadoop.ipc.client.connect.max.retries", "0");
            o.put("cairn.hadoop.ipc.client.connect.timeout", "2000");
            checkpoint(o, URI.create("hdfs://" + closed + "/ckpt"), CheckpointMode.EAGER);
        }, t -> t.contains(closed)));
        return s;
    }

    private void badOption(Map<String, Scenario> s, String name, String key, String value, String endpoint) {
        s.put(name, new Scenario(() -> {
            Map<String, String> o = endpoint == null ? secretOptions() : s3Options(endpoint, canaries.get(SecretOptions.S3_SECRET_KEY));
            o.put(key, value);
            build(o, null);
        }, t -> t.contains(key)));
    }

    /**
     * Every secret option of {@link SecretOptions} at its canary value (Hadoop's and S3's alike;
     * each backend ignores the other's), with the server's access key so that the S3 credentials
     * are whole.
     */
    private Map<String, String> secretOptions() {
        Map<String, String> o = new TreeMap<>();
        o.put(S3StorageSettings.ACCESS_KEY, p.getProperty("server-access-key"));
        for (String key : SecretOptions.KEYS) {
            o.put(key, canaries.get(key));
        }
        return o;
    }

    /** s3:// at {@code endpoint} with the server's access key, {@code secretKey}, and the canary session token. */
    private Map<String, String> s3Options(String endpoint, String secretKey) {
        Map<String, String> o = secretOptions();
        o.put(S3StorageSettings.ENDPOINT, endpoint);
        o.put(S3StorageSettings.REGION, "us-east-1");
        o.put(S3StorageSettings.PATH_STYLE_ACCESS, "true");
        o.put(S3StorageSettings.SECRET_KEY, secretKey);
        o.put(S3StorageSettings.MAX_ATTEMPTS, "2");
        o.put(S3StorageSettings.CONNECTION_TIMEOUT, "2s");
        o.put(S3StorageSettings.API_CALL_TIMEOUT, "20s");
        o.put("cairn.checkpoint.listing.timeout", "2s");
        return o;
    }

    /** What S3A needs to reach the server; the credentials are the caller's. */
    private Map<String, String> s3aBase(String endpoint) {
        Map<String, String> o = secretOptions();
        o.put("cairn.hadoop.fs.s3a.endpoint", endpoint);
        o.put("cairn.hadoop.fs.s3a.endpoint.region", "us-east-1");
        o.put("cairn.hadoop.fs.s3a.path.style.access", "true");
        o.put("cairn.hadoop.fs.s3a.connection.ssl.enabled", "false");
        o.put("cairn.hadoop.fs.s3a.attempts.maximum", "1");
        o.put("cairn.hadoop.fs.s3a.retry.limit", "1");
        o.put("cairn.hadoop.fs.s3a.retry.interval", "10ms");
        o.put("cairn.hadoop.fs.s3a.multiobjectdelete.enable", "false");
        o.put("cairn.checkpoint.listing.timeout", "2s");
        return o;
    }

    private Map<String, String> s3aOptions(String endpoint, String bucket) {
        Map<String, String> o = s3aBase(endpoint);
        o.put("cairn.hadoop.fs.s3a.access.key", p.getProperty("server-access-key"));
        o.put("cairn.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider");
        return o;
    }

    private Map<String, String> s3aMissingBucketOptions(String endpoint) {
        Map<String, String> o = s3aBase(endpoint);
        String perBucket = "cairn.hadoop.fs.s3a.bucket." + MISSING_BUCKET + ".";
        o.put(perBucket + "access.key", p.getProperty("server-access-key"));
        o.put(perBucket + "secret.key", p.getProperty("server-secret-key"));
        o.put(perBucket + "aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        o.remove("cairn.hadoop.fs.s3a.session.token");
        return o;
    }

    private static Map<String, String> without(Map<String, String> options, String... keys) {
        Map<String, String> o = new TreeMap<>(options);
        for (String k : keys) {
            o.remove(k);
        }
        return o;
    }

    // ---------------------------------------------------------------- what the scenarios do

    /** A context over {@code options}, its renderings printed. */
    private static CairnContext build(Map<String, String> options, URI checkpointDir) {
        CairnContext.Builder b = CairnContext.builder().appName("secrets").parallelism(2).options(options)
                .checkpointListener(new PrintingListener());
        if (checkpointDir != null) {
            b.checkpointDir(checkpointDir);
        }
        CairnContext ctx = b.build();
        System.out.println("RENDER context " + ctx + " options " + ctx.options() + " redacted " + ctx.options().redacted());
        return ctx;
    }

    /** The spec, S3 settings and storage of {@code location}, as their {@code toString}s show them. */
    private static void render(Map<String, String> options, URI location) {
        CairnOptions o = CairnOptions.of(options);
        System.out.println("RENDER spec " + CheckpointSpec.builder(location).options(o).dataset("secrets").build());
        System.out.println("RENDER s3-settings " + S3StorageSettings.fromOptions(o));
        try (StorageRegistry registry = StorageRegistry.create(o, List.of(), SecretScenarios.class.getClassLoader())) {
            System.out.println("RENDER registry " + registry + " storage " + registry.storageFor(location));
        }
    }

    /** Writes a small checkpoint at {@code dir} with {@code mode}, waiting for an async one. */
    private static void checkpoint(Map<String, String> options, URI dir, CheckpointMode mode) {
        render(options, dir);
        try (CairnContext ctx = build(options, dir)) {
            Dataset<Long> ds = ctx.range(0, 2_000, 2).checkpoint(mode);
            System.out.println("COUNT " + ds.count());
            if (mode == CheckpointMode.ASYNC) {
                System.out.println("AWAITED " + ds.awaitCheckpoint());
            }
        }
    }

    /** Writes a checkpoint at {@code dir}, flips a byte in the middle of its second part, and reads it back. */
    private static void readCorrupted(Map<String, String> options, URI dir) throws IOException {
        render(options, dir);
        URI location;
        try (CairnContext ctx = build(options, dir)) {
            location = ctx.range(0, 20_000, 2).checkpoint(CheckpointMode.EAGER).checkpointLocation().orElseThrow();
        }
        try (StorageRegistry registry = StorageRegistry.create(CairnOptions.of(options), List.of(), SecretScenarios.class.getClassLoader())) {
            Storage storage = registry.storageFor(location);
            URI part = URI.create(location + "/part-00001");
            byte[] bytes;
            try (InputStream in = storage.open(part)) {
                bytes = in.readAllBytes();
            }
            bytes[bytes.length / 2] ^= 0x5A;
            storage.delete(part);
            try (StorageOutput out = storage.create(part, false)) {
                out.write(bytes);
                out.commit();
            }
            System.out.println("RENDER reader " + CheckpointReader.open(registry, location, CairnOptions.of(options)));
        }
        try (CairnContext ctx = build(options, dir)) {
            System.out.println("COUNT " + ctx.<Long>readCheckpoint(location).count());
        }
    }

    /** Prints every checkpoint event, as an application's listener might. */
    private static final class PrintingListener implements CheckpointListener {
        @Override
        public void started(String dataset, URI location) {
            System.out.println("EVENT started " + dataset + " " + location);
        }

        @Override
        public void committed(String dataset, URI location, CheckpointManifest manifest) {
            System.out.println("EVENT committed " + dataset + " " + location + " " + manifest);
        }

        @Override
        public void failed(String dataset, URI location, Throwable cause) {
            System.out.println("EVENT failed " + dataset + " " + location + " " + cause);
        }
    }
}
