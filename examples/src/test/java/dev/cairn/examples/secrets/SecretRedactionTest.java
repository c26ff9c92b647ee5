package dev.cairn.examples.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.examples.ChildJvm;
import dev.cairn.examples.kills.S3ServerMain;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Secrets never show (issue 14, guarantee 5 of docs/reliability.md): every secret option of
 * {@link SecretOptions} gets a distinctive value, and {@link SecretScenarios} runs real failures
 * with them in a child JVM whose every logger is at {@code DEBUG} (Cairn's at {@code TRACE}):
 * a wrong secret key against S3Proxy (403, synchronous and asynchronous), a missing bucket, an
 * endpoint nobody listens on, a corrupt part read back, bad option values, an {@code s3a://}
 * location through storage-hdfs with wrong temporary credentials and with per-bucket ones, and a
 * NameNode that is not there. Everything the child wrote to standard output and standard error
 * (log lines, exception messages and stack traces with every cause, the {@code toString} of the
 * context, its options, a checkpoint spec, the S3 settings and the storage) is scanned for the
 * values; and each scenario must have failed the way it was meant to, so that the secrets were
 * really in play.
 *
 * <p>Left out on purpose: the Apache HTTP client's {@code org.apache.http.wire} and
 * {@code org.apache.http.headers} loggers, which exist to dump every byte sent (a session token
 * travels in a header); see docs/reliability.md.
 */
class SecretRedactionTest {
    private static final Path WORK = Path.of("target", "secret-redaction").toAbsolutePath();
    private static final String BUCKET = "secrets";
    private static final String ACCESS_KEY = "secrets-access";
    /** The AWS SDK's SigV4 signer, which logs each canonical request, session token header included, at DEBUG. */
    static final String SDK_SIGNER = "software.amazon.awssdk.http.auth.aws.internal.signer";
    /** The SDK's older signers (AbstractAws4Signer), which log the same at DEBUG. */
    static final String SDK_LEGACY_SIGNER = "software.amazon.awssdk.auth.signer";
    /** Every value the scenarios must not show starts with this. */
    private static final String CANARY = "SECRET-canary-" + UUID.randomUUID();

    /** Each scenario of {@link SecretScenarios}, in order. */
    static List<String> scenarios() {
        return List.of("s3-wrong-secret-key", "s3-wrong-secret-key-async", "s3-missing-bucket", "s3-unreachable-endpoint", "s3-corrupt-part",
                "bad-option-s3-part-size", "bad-option-s3-endpoint-userinfo-no-scheme", "bad-option-s3-endpoint-userinfo-wrong-scheme",
                "bad-option-s3-endpoint-userinfo-bad-uri", "bad-option-s3-endpoint-userinfo", "bad-option-listing-timeout",
                "bad-option-hdfs-sync", "bad-option-secret-key-alone", "bad-option-session-token-alone", "bad-option-misspelt-secret-key",
                "s3a-wrong-secret-key", "s3a-missing-bucket", "hdfs-unreachable-namenode");
    }

    private static List<String> stdout;
    private static String stderr;
    private static Map<String, List<String>> byScenario;

    @BeforeAll
    static void runScenarios() throws Exception {
        Files.createDirectories(WORK);
        Map<String, String> canaries = SecretOptions.canaries(CANARY);
        String serverSecret = canaries.get("server-secret-key");
        try (ChildJvm server = ChildJvm.start("s3-server", List.of("-Xmx512m"), S3ServerMain.class.getName(),
                List.of(BUCKET, ACCESS_KEY, serverSecret), WORK)) {
            URI endpoint = URI.create(server.awaitLine(l -> l.startsWith("READY "), Duration.ofMinutes(2)).substring(6));
            Properties p = new Properties();
            p.setProperty("endpoint", endpoint.toString());
            p.setProperty("bucket", BUCKET);
            p.setProperty("server-access-key", ACCESS_KEY);
            p.setProperty("server-secret-key", serverSecret);
            p.setProperty("canary", CANARY);
            p.setProperty("closed-port", Integer.toString(closedPort()));
            // In a file, not on the command line: the scenarios' own output is what is judged.
            Path settings = WORK.resolve("scenarios.properties");
            try (OutputStream out = Files.newOutputStream(settings)) {
                p.store(out, "SecretRedactionTest");
            }
            Path julConfig = WORK.resolve("logging.properties");
            // Libraries logging through java.util.logging (the Apache HTTP client, through commons-logging) at their debug level too.
            Files.writeString(julConfig, "handlers=java.util.logging.ConsoleHandler\n.level=FINE\njava.util.logging.ConsoleHandler.level=ALL\n"
                    + "org.apache.http.wire.level=INFO\norg.apache.http.headers.level=INFO\n");
            List<String> flags = List.of("-Xmx768m",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug",
                    "-Dorg.slf4j.simpleLogger.log.dev.cairn=trace",
                    "-Dorg.slf4j.simpleLogger.log.org.apache.http.wire=info",
                    "-Dorg.slf4j.simpleLogger.log.org.apache.http.headers=info",
                    "-Dorg.slf4j.simpleLogger.log." + SDK_SIGNER + "=info",
                    "-Dorg.slf4j.simpleLogger.log." + SDK_LEGACY_SIGNER + "=info",
                    "-Dorg.slf4j.simpleLogger.logFile=System.out",
                    "-Dorg.slf4j.simpleLogger.showThreadName=true",
                    "-Dorg.slf4j.simpleLogger.showShortLogName=false",
                    "-Dorg.slf4j.simpleLogger.showLogName=true",
                    "-Djava.util.logging.config.file=" + julConfig);
            try (ChildJvm child = ChildJvm.start("secret-scenarios", flags, SecretScenarios.class.getName(),
                    List.of(settings.toString()), WORK)) {
                int status = child.waitForExit(Duration.ofMinutes(3));
                stdout = child.output();
                stderr = child.stderr();
                assertEquals(0, status, "the scenarios ran to their end; " + masked(child.describe()));
            }
            server.stop(Duration.ofSeconds(30));
        }
        byScenario = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : stdout) {
            if (line.startsWith("BEGIN ")) {
                current = new ArrayList<>();
                byScenario.put(line.substring(6), current);
            }
            if (current != null) {
                current.add(line);
            }
            if (line.startsWith("END ")) {
                current = null;
            }
        }
    }

    @AfterAll
    static void keepOutput() throws IOException {
        if (stdout != null) {
            Files.write(WORK.resolve("scenarios.out"), stdout);
            Files.writeString(WORK.resolve("scenarios.err"), stderr);
        }
    }

    /** A port on the loopback nobody listens on: bound, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void theScenarioFailsAsIntendedAndShowsNoSecret(String scenario) {
        List<String> lines = byScenario.get(scenario);
        assertTrue(lines != null, "the child ran scenario " + scenario + "; it ran " + byScenario.keySet());
        List<String> leaks = new ArrayList<>();
        for (String line : lines) {
            if (line.contains(CANARY)) {
                leaks.add(leak(line));
            }
        }
        if (!leaks.isEmpty()) {
            fail("Scenario " + scenario + " shows secret values in " + leaks.size() + " lines (<secret:option> marks each):\n"
                    + String.join("\n", leaks.subList(0, Math.min(40, leaks.size()))));
        }
        String outcome = lines.stream().filter(l -> l.startsWith("OUTCOME ")).findFirst().orElse("(no outcome line)");
        assertTrue(outcome.startsWith("OUTCOME " + scenario + " EXPECTED "),
                "scenario " + scenario + " failed the way it is meant to, so the secrets were in play; found " + outcome + "\n"
                        + masked(String.join("\n", lines)));
    }

    @Test
    void everyScenarioTheChildRanIsJudged() {
        assertEquals(scenarios(), List.copyOf(byScenario.keySet()), "the scenarios run, in order");
    }

    /** Lines outside any scenario and the whole standard error (where java.util.logging and the JVM write) show no secret either. */
    @Test
    void nothingElseTheChildPrintedShowsASecret() {
        List<String> leaks = new ArrayList<>();
        boolean inside = false;
        for (String line : stdout) {
            inside = inside ? !line.startsWith("END ") : line.startsWith("BEGIN ");
            if (!inside && line.contains(CANARY)) {
                leaks.add("stdout: " + leak(line));
            }
        }
        for (String line : stderr.split("\n")) {
            if (line.contains(CANARY)) {
                leaks.add("stderr: " + leak(line));
            }
        }
        assertTrue(leaks.isEmpty(), "secret values shown outside the scenarios:\n" + String.join("\n", leaks));
    }

    /** The scan is not vacuous: renderings were printed with masks, and the libraries really logged at DEBUG. */
    @Test
    void theOutputScannedHoldsRenderingsAndDebugLogs() {
        String all = String.join("\n", stdout);
        assertTrue(all.contains("cairn.s3.secret-key=****") && all.contains("cairn.hadoop.fs.s3a.secret.key=****"),
                "the options' toString was printed, secrets masked");
        assertTrue(all.contains("RENDER spec CheckpointSpec["), "a checkpoint spec's toString was printed");
        assertTrue(all.contains("DEBUG software.amazon.awssdk"), "the AWS SDK logged at DEBUG");
        assertTrue(all.contains("DEBUG org.apache.hadoop"), "Hadoop logged at DEBUG");
        assertTrue(all.contains("TRACE dev.cairn") || all.contains("DEBUG dev.cairn"), "Cairn logged below INFO");
    }

    /** {@code line} with each canary replaced by the option it stands for. */
    private static String leak(String line) {
        String s = line;
        for (Map.Entry<String, String> e : SecretOptions.canaries(CANARY).entrySet()) {
            s = s.replace(e.getValue(), "<secret:" + e.getKey() + ">");
        }
        return masked(s);
    }

    private static String masked(String text) {
        return text.replace(CANARY, "<secret>");
    }
}
