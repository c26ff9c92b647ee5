package dev.cairn.spark.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * A real Spark standalone cluster on 127.0.0.1: a Master and {@code n} Workers from
 * {@code spark-core}, each a JVM of its own on this JVM's class path; the Workers launch each
 * application's executors as JVMs of their own, through Spark's launcher. A test submits to
 * {@link #masterUrl()} from its own JVM (the driver). One cluster per test class: start it in a
 * static {@code @BeforeAll}, close it in {@code @AfterAll}.
 *
 * <p>No Spark distribution is installed: {@code SPARK_HOME} is a folder with an empty
 * {@code jars/} (the launcher insists on one), {@code SPARK_SCALA_VERSION} names the Scala binary
 * (the launcher cannot infer it without a Spark build tree), and executors get the test class
 * path through {@code spark.executor.extraClassPath}.
 */
public final class StandaloneCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final String HOST = "127.0.0.1";

    private final Path dir;
    private final List<ChildJvm> jvms = new ArrayList<>();
    private final int workers;
    private String masterUrl;
    private String masterUi;
    private Duration startTime;

    private StandaloneCluster(Path dir, int workers) {
        this.dir = dir;
        this.workers = workers;
    }

    /**
     * Starts a Master and {@code workers} Workers of one core each, and returns once the Master
     * shows every Worker alive.
     */
    public static StandaloneCluster start(String name, int workers) throws IOException {
        Path dir = Path.of(System.getProperty("cairn.test.work", "target/test-work"), "cluster-" + name + "-"
                + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        StandaloneCluster cluster = new StandaloneCluster(dir, workers);
        try {
            cluster.boot();
        } catch (RuntimeException | IOException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void boot() throws IOException {
        long t0 = System.nanoTime();
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
        Files.createDirectories(sparkHome.resolve("jars"));
        Map<String, String> env = Map.of(
                "SPARK_HOME", sparkHome.toString(),
                "SPARK_SCALA_VERSION", scalaBinary(),
                "SPARK_LOCAL_IP", HOST,
                "SPARK_LOCAL_HOSTNAME", HOST);
        // C1 only and the serial collector: a Master or Worker does little work, and JIT threads
        // would compete for the two cores the whole suite has while the cluster starts.
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", TestClassPath.asString()));
        jvmArgs.addAll(jvmFlags());

        ChildJvm master = ChildJvm.start("master", dir.resolve("master.log"), jvmArgs, "org.apache.spark.deploy.master.Master",
                List.of("--host", HOST, "--port", "0", "--webui-port", "0"), env);
        jvms.add(master);
        masterUrl = master.await("Starting Spark master at (spark://\\S+)", START_TIMEOUT).group(1);
        masterUi = master.await("Bound MasterWebUI to \\S+ and started at (http://\\S+)", START_TIMEOUT).group(1);
        master.await("I have been elected leader", START_TIMEOUT);

        List<ChildJvm> started = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + i));
            ChildJvm w = ChildJvm.start("worker-" + i, dir.resolve("worker-" + i + ".log"), jvmArgs,
                    "org.apache.spark.deploy.worker.Worker",
                    List.of("--host", HOST, "--port", "0", "--webui-port", "0", "--cores", "1", "--memory", "1g",
                            "--work-dir", work.toString(), masterUrl), env);
            jvms.add(w);
            started.add(w);
        }
        for (ChildJvm w : started) {
            w.await("Successfully registered with master", START_TIMEOUT);
        }
        awaitAliveWorkers();
        startTime = Duration.ofNanos(System.nanoTime() - t0);
    }

    /** The Master's own view: its JSON page lists the Workers it counts alive. */
    private void awaitAliveWorkers() {
        Pattern alive = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = httpGet(masterUi + "/json/");
            Matcher m = alive.matcher(last);
            if (m.find() && Integer.parseInt(m.group(1)) >= workers) {
                return;
            }
            pause(50);
        }
        throw new IllegalStateException("Master at " + masterUi + " did not show " + workers + " alive workers within "
                + START_TIMEOUT + "; last answer: " + last);
    }

    private static String httpGet(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
            c.setConnectTimeout(5_000);
            c.setReadTimeout(5_000);
            try (InputStream in = c.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return "unreachable: " + e;
        }
    }

    /** {@code spark://127.0.0.1:<port>}. */
    public String masterUrl() {
        return masterUrl;
    }

    /** From the first process start to every Worker alive. */
    public Duration startTime() {
        return startTime;
    }

    /** Where the logs of the Master and Workers are (executors' logs are under {@code worker-N/<app>/<executor>/}). */
    public Path dir() {
        return dir;
    }

    /**
     * A driver configuration for this cluster: one executor of one core per Worker, all of them
     * registered before the first job runs, on this JVM's class path, loopback only.
     */
    public SparkConf conf(String appName) {
        return LocalSpark.defaults(appName)
                .setMaster(masterUrl)
                .set("spark.executor.memory", "512m")
                .set("spark.executor.cores", "1")
                .set("spark.cores.max", Integer.toString(workers))
                .set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .set("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s")
                .set("spark.executor.extraClassPath", TestClassPath.asString())
                // C1 and the serial collector start an executor in about half the time on two
                // cores; tests move little data, so the slower steady state does not matter.
                .set("spark.executor.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
    }

    /** The executor JVMs of application {@code appId} that are running now. */
    public List<ProcessHandle> executors(String appId) {
        List<ProcessHandle> out = new ArrayList<>();
        for (ChildJvm jvm : jvms) {
            jvm.handle().descendants().filter(h -> isExecutorOf(h, appId)).forEach(out::add);
        }
        return out;
    }

    private static boolean isExecutorOf(ProcessHandle h, String appId) {
        List<String> a = arguments(h);
        int i = a.indexOf("--app-id");
        return a.contains("org.apache.spark.executor.CoarseGrainedExecutorBackend") && i >= 0 && i + 1 < a.size()
                && a.get(i + 1).equals(appId);
    }

    /**
     * Kills executor JVM {@code pid} of application {@code appId} at once (SIGKILL: no shutdown
     * hook, no goodbye to the driver, like a lost machine) and waits until it is gone.
     */
    public void killExecutor(String appId, long pid) {
        ProcessHandle victim = executors(appId).stream().filter(h -> h.pid() == pid).findFirst()
                .orElseThrow(() -> new IllegalStateException("no executor JVM " + pid + " of " + appId + "; running: "
                        + executors(appId).stream().map(ProcessHandle::pid).toList()));
        victim.destroyForcibly();
        victim.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    }

    /**
     * A process's command line. {@code ProcessHandle.Info} gives none for some processes whose
     * command line is long (as a JVM's with the test class path is), so on Linux it is read from
     * {@code /proc} first.
     */
    private static List<String> arguments(ProcessHandle h) {
        Path cmdline = Path.of("/proc", Long.toString(h.pid()), "cmdline");
        try {
            if (Files.isReadable(cmdline)) {
                return Arrays.asList(new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\u0000"));
            }
        } catch (IOException e) {
            // the process ended meanwhile, or /proc hides it: fall back
        }
        Optional<String[]> args = h.info().arguments();
        return args.map(Arrays::asList).orElse(List.of());
    }

    @Override
    public void close() {
        // Workers first (each takes its executors with it), the Master last.
        for (int i = jvms.size() - 1; i >= 0; i--) {
            jvms.get(i).close();
        }
        jvms.clear();
    }

    /** The Scala binary of the Spark on the class path: "2.12" or "2.13". */
    static String scalaBinary() {
        String fromBuild = System.getProperty("cairn.test.scala.binary");
        if (fromBuild != null) {
            return fromBuild;
        }
        String version = scala.util.Properties.versionNumberString();
        return version.substring(0, version.lastIndexOf('.'));
    }

    /** The Java 17 flags Spark's launcher would add, as the build passes them to the test JVM. */
    static List<String> jvmFlags() {
        String flags = System.getProperty("cairn.test.spark.jvm-flags", "");
        return flags.isBlank() ? List.of() : Arrays.asList(flags.trim().split("\\s+"));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted"));
        }
    }
}
