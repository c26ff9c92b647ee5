package dev.cairn.spark.streaming;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.spark.testkit.BatchOutputs;
import dev.cairn.spark.testkit.ChildJvm;
import dev.cairn.spark.testkit.LocalSpark;
import dev.cairn.spark.testkit.RateAggregation;
import dev.cairn.spark.testkit.StreamingDriver;
import dev.cairn.spark.testkit.TestClassPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed article's scenario (shared/seeds/004): the streaming driver is a restartable job of
 * its own (here a child JVM), its checkpoint on a shared volume ({@code file://}); the driver is
 * killed with SIGKILL at random moments and started again. And the failure a restartable job
 * invites: a second driver started on the same checkpoint while the first still runs.
 */
class SharedVolumeDriverTest {
    private static final int ROWS = 40;
    /** 10 where the pom does not say otherwise (the Scala 2.12 build runs fewer: same code, another binary). */
    private static final int KILLS = Integer.getInteger("cairn.test.streaming.kills", 10);
    private static final Duration START = Duration.ofSeconds(StreamingDriver.START_TIMEOUT_SECONDS);

    private static Path work;
    private static LocalSpark spark;
    private static final List<ChildJvm> drivers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        work = Path.of(System.getProperty("cairn.test.work", "target/test-work"), "shared-volume-" + UUID.randomUUID())
                .toAbsolutePath();
        Files.createDirectories(work);
        spark = LocalSpark.start(SharedVolumeDriverTest.class,
                StreamingSettings.checkpointsThrough(GatedCheckpointFileManager.class).toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        drivers.forEach(ChildJvm::close);
        if (spark != null) {
            spark.close();
        }
    }

    private static ChildJvm driver(String name, Path checkpointDir, Path out, List<String> extra) throws IOException {
        List<String> jvm = new ArrayList<>();
        // a driver lives for seconds: C1 only and the serial collector start it faster
        jvm.addAll(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        jvm.addAll(Arrays.asList(System.getProperty("cairn.test.spark.jvm-flags", "").trim().split("\\s+")));
        jvm.add("-cp");
        jvm.add(TestClassPath.asString());
        List<String> args = new ArrayList<>(List.of(
                "checkpoint=" + checkpointDir.toUri(), "out=" + out, "rows=" + ROWS, "trigger=50"));
        List<String> settings = new ArrayList<>(extra);
        List<String> base = StreamingSettings.checkpointsOnCairn();
        for (int i = 0; i + 1 < base.size(); i += 2) {
            String key = base.get(i) + "=";
            if (settings.stream().noneMatch(s -> s.startsWith(key))) {
                settings.add(key + base.get(i + 1));
            }
        }
        args.addAll(settings);
        ChildJvm child = ChildJvm.start(name, work.resolve("logs").resolve(name + ".log"), jvm,
                StreamingDriver.class.getName(), args, Map.of());
        drivers.add(child);
        return child;
    }

    /** The highest batch whose commit is on the volume, as Spark's commit log holds it. */
    private static OptionalLong lastCommitted(Path checkpointDir) throws IOException {
        Path commits = checkpointDir.resolve("commits");
        if (!Files.isDirectory(commits)) {
            return OptionalLong.empty();
        }
        try (Stream<Path> files = Files.list(commits)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).mapToLong(Long::parseLong).max();
        }
    }

    /**
     * What a kill left in the checkpoint: a batch whose offsets are written and whose commit is
     * not (killed mid-batch), and temporary files of writes the kill cut short (never read: a
     * file is published whole or not at all).
     */
    private static String leftBehind(Path checkpointDir) throws IOException {
        OptionalLong offsets = OptionalLong.empty();
        Path offsetsDir = checkpointDir.resolve("offsets");
        if (Files.isDirectory(offsetsDir)) {
            try (Stream<Path> files = Files.list(offsetsDir)) {
                offsets = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).mapToLong(Long::parseLong).max();
            }
        }
        OptionalLong commits = lastCommitted(checkpointDir);
        List<String> temporary;
        try (Stream<Path> files = Files.exists(checkpointDir) ? Files.walk(checkpointDir) : Stream.empty()) {
            temporary = files.filter(p -> p.getFileName().toString().startsWith(".") && p.getFileName().toString().endsWith(".tmp"))
                    .map(p -> checkpointDir.relativize(p).toString()).sorted().collect(Collectors.toList());
        }
        String batch = offsets.isPresent() && (commits.isEmpty() || commits.getAsLong() < offsets.getAsLong())
                ? "batch " + offsets.getAsLong() + " planned, not committed" : "every planned batch committed";
        return batch + (temporary.isEmpty() ? "" : ", temporary files of cut-short writes " + temporary);
    }

    private static Map<Long, String> outputs(Path out) throws IOException {
        Map<Long, String> got = new TreeMap<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path p : files.collect(Collectors.toList())) {
                String n = p.getFileName().toString();
                if (n.startsWith("batch-")) {
                    got.put(Long.parseLong(n.substring(6)), Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        }
        return got;
    }

    private static List<String> conflicts(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("conflict-")).collect(Collectors.toList());
        }
    }

    private static void assertExact(Map<Long, String> outputs, long through) {
        for (long b = 0; b <= through; b++) {
            assertEquals(RateAggregation.expected(b, ROWS), outputs.get(b), "batch " + b);
        }
    }

    @Test
    void aDriverKilledAtRandomMomentsRecoversExactlyEveryTime() throws Exception {
        Path checkpoint = work.resolve("volume/kill-checkpoint");
        Path out = work.resolve("kill-out");
        Random random = new Random(Long.getLong("cairn.test.streaming.seed", 4004));
        List<String> recoveries = new ArrayList<>();
        long highestSeen = -1;
        int exact = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            OptionalLong committedBefore = lastCommitted(checkpoint);
            ChildJvm d = driver("driver-" + kill, checkpoint, out, List.of());
            d.await("^STARTED ", START);
            String moment;
            if (kill % 2 == 1) {
                // soon after the query starts: recovery, the first batch's offsets and state
                long delay = random.nextInt(2500);
                sleepForRandomMoment(delay);
                moment = delay + " ms after start";
            } else {
                // in the middle of a later batch: state deltas, sink, commit
                long next = highestSeen + 1 + random.nextInt(2);
                d.await("^BATCH " + next + "$", START);
                long delay = random.nextInt(150);
                sleepForRandomMoment(delay);
                moment = delay + " ms after batch " + next;
            }
            d.handle().destroyForcibly(); // SIGKILL: no shutdown hook, no clean-up, as a lost node
            d.handle().onExit().get(30, TimeUnit.SECONDS);
            List<String> resumes = matches(d, "^RESUMED (\\d+)$");
            List<String> batches = matches(d, "^BATCH (\\d+)$");
            String resumed = resumes.isEmpty() ? null : resumes.get(0);
            String last = batches.isEmpty() ? null : batches.get(batches.size() - 1);
            if (last != null) {
                highestSeen = Math.max(highestSeen, Long.parseLong(last));
            }
            long expectedResume = committedBefore.isPresent() ? committedBefore.getAsLong() + 1 : 0;
            String line = "kill " + kill + " (" + moment + "): resumed at " + (resumed == null ? "- (killed before its first batch)"
                    : "batch " + resumed) + ", last committed before start " + (committedBefore.isPresent()
                    ? committedBefore.getAsLong() : "none") + ", last batch written " + (last == null ? "-" : last)
                    + "; left on the volume: " + leftBehind(checkpoint);
            if (resumed != null) {
                assertEquals(expectedResume, Long.parseLong(resumed), "recovery " + kill + " resumed right after the last commit");
                exact++;
            }
            recoveries.add(line);
        }
        long until = highestSeen + 2;
        ChildJvm last = driver("driver-final", checkpoint, out, List.of("until=" + until));
        String resumed = last.await("^RESUMED (\\d+)$", START).group(1);
        last.await("^STOPPED$", START);
        OptionalLong committed = lastCommitted(checkpoint);
        recoveries.add("final run: resumed at batch " + resumed + ", ran to batch " + until + " and stopped; last committed "
                + committed);
        System.out.println("SIGKILLed the driver " + KILLS + " times; " + exact + " kills hit a running query, every restart"
                + " resumed right after the last committed batch\n" + String.join("\n", recoveries));

        assertEquals(List.of(), conflicts(out), "no batch that ran again produced other output");
        Map<Long, String> got = outputs(out);
        assertExact(got, until);
        assertTrue(got.keySet().stream().allMatch(b -> b <= until + 1));
        assertTrue(exact >= KILLS / 2, "most kills hit a running query: " + exact);
    }

    @Test
    void aSecondQueryOnTheSameCheckpointFailsAndTheFirstKeepsItsOffsets() throws Exception {
        Path checkpoint = work.resolve("volume/shared-checkpoint");
        Path out = work.resolve("first-out");
        Path gate = Files.createDirectories(work.resolve("gate"));
        long held = 3;
        List<String> gateSettings = List.of("spark.cairntest.gate.dir=" + gate, "spark.cairntest.gate.file=/offsets/" + held,
                "spark.sql.streaming.checkpointFileManagerClass=" + GatedCheckpointFileManager.class.getName());
        ChildJvm first = driver("first", checkpoint, out, Stream.concat(gateSettings.stream(),
                Stream.of("spark.cairntest.gate.role=first", "until=" + (held + 3))).collect(Collectors.toList()));
        awaitFile(gate.resolve("first-ready"));

        // the second driver: same checkpoint, same query; it finds batch 2 committed and batch 3 not yet written
        spark.session().conf().set("spark.cairntest.gate.dir", gate.toString());
        spark.session().conf().set("spark.cairntest.gate.file", "/offsets/" + held);
        spark.session().conf().set("spark.cairntest.gate.role", "second");
        BatchOutputs secondOut = new BatchOutputs();
        StreamingQuery second = RateAggregation.start(spark.session(), checkpoint.toUri().toString(), ROWS, 50, Map.of(), secondOut);
        try {
            awaitFile(gate.resolve("second-ready"));
            assertSecondFails(gate, second, secondOut);
        } finally {
            second.stop();
            spark.session().conf().unset("spark.cairntest.gate.dir");
        }

        // the first goes on undisturbed, and batch 3's offsets are the ones it wrote
        first.await("^STOPPED$", START);
        assertArrayEquals(Files.readAllBytes(gate.resolve("first-bytes")), Files.readAllBytes(checkpoint.resolve("offsets/" + held)));
        assertFalse(Arrays.equals(Files.readAllBytes(gate.resolve("first-bytes")), Files.readAllBytes(gate.resolve("second-bytes"))),
                "the two drivers' offsets differ (their batch timestamps), so the file tells whose it is");
        assertEquals(List.of(), conflicts(out));
        assertExact(outputs(out), held + 3);
    }

    private static void assertSecondFails(Path gate, StreamingQuery second, BatchOutputs secondOut) throws Exception {

        // both hold offsets for batch 3; the first publishes, then the second tries
        Files.createFile(gate.resolve("first-go"));
        awaitFile(gate.resolve("first-published"));
        Files.createFile(gate.resolve("second-go"));
        StreamingQueryException failed = assertThrows(StreamingQueryException.class, () -> second.awaitTermination(120_000));
        String chain = causes(failed);
        assertTrue(chain.contains("Multiple streaming queries are concurrently using")
                && chain.contains("two streaming queries must never share a checkpoint location"), chain);
        assertTrue(Files.exists(gate.resolve("second-refused")));
        assertFalse(Files.exists(gate.resolve("second-published")));
        assertEquals(Map.of(), secondOut.outputs(), "the second query ran no batch");
    }

    private static String causes(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            s.append(c).append('\n');
        }
        return s.toString();
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(StreamingDriver.START_TIMEOUT_SECONDS);
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no " + file + " within " + START);
            }
            Thread.sleep(10); // written by another process
        }
    }

    /** The pause before a kill: a random moment is the point of the test, there is no condition to await. */
    private static void sleepForRandomMoment(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    /** The first and last capture of {@code regex} in a driver's output, once it has ended. */
    private static List<String> matches(ChildJvm jvm, String regex) throws InterruptedException {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(regex);
        List<String> found = new ArrayList<>();
        for (String line : jvm.outputAfterExit(Duration.ofSeconds(30))) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                found.add(m.group(1));
            }
        }
        return found;
    }
}
