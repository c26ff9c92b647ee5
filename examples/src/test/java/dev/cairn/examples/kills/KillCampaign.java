package dev.cairn.examples.kills;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.examples.AlternatingLeastSquares;
import dev.cairn.examples.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kills the ALS example with SIGKILL at random moments on one store, restarts it each time, and
 * checks every restart against the run directory as {@link RunDirectorySnapshot} reads it:
 *
 * <ol>
 *   <li>after each kill, no committed checkpoint is damaged (a manifest never stands over a
 *       missing, short or altered part) and no committed progress is lost (the iteration to
 *       resume from never goes back);</li>
 *   <li>each restart resumes from exactly that iteration, of exactly that context (or starts from
 *       0 when nothing complete is there);</li>
 *   <li>by the time it says so, every piece of debris the kill left (uncommitted checkpoints,
 *       stray files, half-committed iterations, empty context directories) is gone;</li>
 *   <li>each round ends with a run left alone to finish: its factors are bit-identical with an
 *       uninterrupted run's (same SHA-256), it leaves no uncommitted checkpoint and no stray file,
 *       and its last two checkpoints are complete. What it may leave is counted instead: retired
 *       checkpoints of the process it resumed from that were still read when retention ran (the
 *       checkpointer retries on later updates, not after the last; docs/iterative.md) and empty
 *       context directories; a later resume removes both, which check 3 verifies whenever a
 *       round goes on. The scratch objects of storage-s3's store probe that a kill left
 *       ({@code .cairn-probe-…}) are debris like any other.</li>
 *   <li>nothing any process printed or logged shows the store's secret key, which it was given
 *       with {@code --option cairn.s3.secret-key=…}.</li>
 * </ol>
 *
 * <p>A round is one run directory: up to {@code killsPerRound} kills, then a run left to finish.
 * Rounds go on until {@code kills} kills have landed. The moment of each kill is drawn from two
 * ranges measured on an uninterrupted run on the same store: one kill in five at a moment
 * uniform between the process's start and the time that run took to say where it starts (JVM
 * start-up, data generation, the resume's scan and sweep); the others at a moment uniform
 * between the restart saying where it resumed and the time the rest of that run took, scaled to the
 * iterations left (iterations, part writes, commits, retention deletes, the close). Start-up is most of a short run's life;
 * drawn over the whole life, most kills would land there. The moments come from a seeded
 * generator; the processes' timing does not, so two campaigns hit different points.
 */
final class KillCampaign {
    static final Pattern RESUMED = Pattern.compile("Resumed from iteration (\\d+), checkpointed at \\S+ by context ([0-9a-f-]+):.*");
    static final String FRESH = "Starting from iteration 0";
    static final Pattern FINAL = Pattern.compile("Final: iteration (\\d+), RMSE ([0-9.]+) .*factors sha256 ([0-9a-f]{64})");
    private static final Pattern PROGRESS = Pattern.compile("ALS +\\d+% .* (\\d+)/\\d+ .*");

    /**
     * What to run.
     *
     * @param alsArgs         the example's arguments (sizes, iterations, interval, seed), without run directory or store options
     * @param finalIterations the complete iterations a finished run keeps (the last two checkpoints)
     * @param kills           kills to land
     * @param killsPerRound   kills per run directory before a run is left to finish
     * @param seed            seeds the kill moments
     * @param patience        the longest any single process may take
     */
    record Settings(List<String> alsArgs, Set<Integer> finalIterations, int kills, int killsPerRound, long seed, Duration patience) {
    }

    /**
     * One process of the campaign, as a row of the log.
     *
     * @param round          the run directory
     * @param attempt        the process, counted over the campaign
     * @param killAtMillis   when it was to be killed, in milliseconds after its start; -1 for a run left to finish
     * @param expected       the iteration it had to resume from
     * @param resumed        the iteration it said it resumed from; -1 when killed before saying
     * @param debrisBefore   pieces of debris in the run directory when it started
     * @param outcome        {@code killed in <phase>} or {@code finished}
     * @param after          the run directory after it ended
     */
    record Attempt(int round, int attempt, long killAtMillis, int expected, int resumed, int debrisBefore, String outcome, String after) {
        static String header() {
            return "round,attempt,kill_at_ms,expected_resume,resumed_from,debris_before,outcome,after";
        }

        String csv() {
            return round + "," + attempt + "," + killAtMillis + "," + expected + "," + resumed + "," + debrisBefore + "," + outcome + ",\""
                    + after + "\"";
        }
    }

    /**
     * The figures of one campaign.
     *
     * @param store              file, s3 or hdfs
     * @param async              whether the example ran with {@code --async}
     * @param kills              SIGKILLs that landed on a running process
     * @param resumes            restarts that said where they resumed from (the others were killed before)
     * @param resumesCorrect     of those, the ones that resumed from the iteration the snapshot named, after sweeping every piece of debris
     * @param rounds             runs left to finish
     * @param bitIdentical       of those, the ones whose factors matched the uninterrupted run's SHA-256
     * @param killsInStartup     kills before the restart said where it resumed (JVM start, data, the sweep)
     * @param killsInIterations  kills while iterating
     * @param killsInClose       kills after the final line (closing, deferred deletes)
     * @param leftUncommitted    kills after which an uncommitted checkpoint (parts without manifest) was there
     * @param leftIncomplete     kills after which an iteration was half committed
     * @param debrisSwept        pieces of debris the restarts removed
     * @param retiredLeft        checkpoints of older iterations finished runs left (see the class comment)
     * @param emptyDirsLeft      empty context directories finished runs left (see the class comment)
     * @param probesLeft         store probe objects a kill left that no restart removed (see the class comment)
     * @param referenceMillis    an uninterrupted run's duration on this store, the range of the kill moments
     * @param tookMillis         the campaign's duration
     * @param loadBefore         {@code /proc/loadavg} at the start
     * @param loadAfter          {@code /proc/loadavg} at the end
     * @param attempts           every process
     */
    record Report(String store, boolean async, int kills, int resumes, int resumesCorrect, int rounds, int bitIdentical, int killsInStartup,
                  int killsInIterations, int killsInClose, int leftUncommitted, int leftIncomplete, int debrisSwept, int retiredLeft,
                  int emptyDirsLeft, int probesLeft,
                  long referenceMillis,
                  long tookMillis, String loadBefore, String loadAfter, List<Attempt> attempts) {
        String name() {
            return store + (async ? " --async" : "");
        }
    }

    private final CampaignStore store;
    private final boolean async;
    private final Settings settings;
    private final String referenceSha;
    private final Path logDir;
    private int retiredLeft;
    private int emptyDirsLeft;
    private int probesLeft;

    /**
     * @param referenceSha the SHA-256 of an uninterrupted run's factors, computed elsewhere (this
     *                     campaign's own uninterrupted run on the store must match it too)
     */
    KillCampaign(CampaignStore store, boolean async, Settings settings, String referenceSha, Path logDir) {
        this.store = store;
        this.async = async;
        this.settings = settings;
        this.referenceSha = referenceSha;
        this.logDir = logDir;
    }

    Report run() throws IOException, InterruptedException {
        long start = System.nanoTime();
        String loadBefore = load();
        String label = store.name() + (async ? "-async" : "");
        long[] reference = uninterrupted(store.runDirectory(label + "-reference")); // {to the start line, after it}

        SplittableRandom random = new SplittableRandom(settings.seed() ^ label.hashCode());
        List<Attempt> attempts = new ArrayList<>();
        int kills = 0;
        int resumes = 0;
        int rounds = 0;
        int startup = 0;
        int iterating = 0;
        int closing = 0;
        int uncommitted = 0;
        int incomplete = 0;
        int swept = 0;
        while (kills < settings.kills()) {
            rounds++;
            URI runDir = store.runDirectory(label + "-round-" + rounds);
            RunDirectorySnapshot before = snapshot(runDir);
            for (int inRound = 0; ; inRound++) {
                boolean toKill = inRound < settings.killsPerRound() && kills < settings.kills();
                boolean inStartup = random.nextInt(5) == 0;
                long startupMoment = random.nextLong(reference[0] + 1);
                double workFraction = random.nextDouble();
                long killAt = toKill && inStartup ? startupMoment : -1;
                int expected = before.resumePoint();
                Set<String> debris = before.debris();
                try (ChildJvm child = startExample(runDir)) {
                    Optional<String> said = child.pollLine(l -> RESUMED.matcher(l).matches() || l.startsWith(FRESH),
                            killAt >= 0 ? killAt : settings.patience().toMillis());
                    int resumed = -1;
                    if (said.isPresent()) {
                        resumed = checkResume(said.get(), before, child);
                        if (toKill && !inStartup) {
                            // uniform over what is left of the run: the uninterrupted run's time after its start line, scaled
                            // to the iterations still to do (plus the close)
                            int last = max(settings.finalIterations());
                            killAt = child.ageMillis() + (long) (workFraction * reference[1] * (last - resumed + 1) / (last + 1));
                        }
                        resumes++;
                        Set<String> left = stillThere(runDir, debris);
                        assertEquals(Set.of(), left, "the restart removed the debris of the killed processes before going on; "
                                + before.describe() + child.describe());
                        swept += debris.size();
                    }
                    if (killAt >= 0 && child.runUntil(killAt) && killed(child)) {
                        checkNoSecret(child);
                        String phase = phase(child.output());
                        kills++;
                        RunDirectorySnapshot after = snapshot(runDir);
                        assertEquals(List.of(), after.damage(), "committed checkpoints are intact after a kill in " + phase + "; "
                                + after.describe() + child.describe());
                        assertTrue(after.resumePoint() >= expected, "a kill never loses committed progress: could resume from "
                                + expected + " before, " + after.resumePoint() + " after; " + after.describe() + child.describe());
                        startup += phase.equals("startup") ? 1 : 0;
                        iterating += phase.startsWith("iteration") ? 1 : 0;
                        closing += phase.equals("close") ? 1 : 0;
                        uncommitted += after.uncommittedDirs().isEmpty() ? 0 : 1;
                        incomplete += after.incomplete().isEmpty() ? 0 : 1;
                        attempts.add(new Attempt(rounds, attempts.size() + 1, killAt, expected, resumed, debris.size(), "killed in " + phase,
                                after.summary()));
                        before = after;
                        continue;
                    }
                    RunDirectorySnapshot after = finished(child, runDir);
                    attempts.add(new Attempt(rounds, attempts.size() + 1, killAt, expected, resumed, debris.size(),
                            toKill ? "finished before the kill" : "finished", after.summary()));
                    break;
                }
            }
        }
        return new Report(store.name(), async, kills, resumes, resumes, rounds, rounds, startup, iterating, closing, uncommitted, incomplete,
                swept, retiredLeft, emptyDirsLeft, probesLeft, reference[0] + reference[1], (System.nanoTime() - start) / 1_000_000,
                loadBefore, load(), attempts);
    }

    /** Kills the child; false when it had ended by itself the instant before (then it is checked as a finished run). */
    private boolean killed(ChildJvm child) throws InterruptedException {
        int status = child.killOrExit(settings.patience());
        if (status != ChildJvm.SIGKILLED && status != 0) {
            fail("The child ended with status " + status + "; " + child.describe());
        }
        return status == ChildJvm.SIGKILLED;
    }

    /**
     * An uninterrupted run, its result checked against the reference: the milliseconds from its
     * start to its "Starting from iteration 0", and from there to its end.
     */
    private long[] uninterrupted(URI runDir) throws IOException, InterruptedException {
        try (ChildJvm child = startExample(runDir)) {
            child.awaitLine(l -> l.startsWith(FRESH), settings.patience());
            long started = child.ageMillis();
            finished(child, runDir);
            return new long[] {started, child.ageMillis() - started};
        }
    }

    /** Waits for a run left alone to end, and checks its result and what it left. */
    private RunDirectorySnapshot finished(ChildJvm child, URI runDir) throws IOException, InterruptedException {
        assertEquals(0, child.waitForExit(settings.patience()), child.describe());
        checkNoSecret(child);
        Matcher done = FINAL.matcher(child.output().stream().filter(l -> FINAL.matcher(l).matches()).findFirst()
                .orElseThrow(() -> new AssertionError("no final line; " + child.describe())));
        assertTrue(done.matches());
        assertEquals(referenceSha, done.group(3), "factors bit-identical with the uninterrupted run's; " + child.describe());
        RunDirectorySnapshot after = snapshot(runDir);
        assertEquals(List.of(), after.damage(), after.describe());
        assertEquals(List.of(), after.uncommittedDirs(), "a finished run leaves no uncommitted checkpoint; " + after.describe()
                + child.describe());
        assertEquals(List.of(), after.strayFiles(), "a finished run leaves no stray file; " + after.describe() + child.describe());
        Set<Integer> complete = after.completeIterations();
        assertTrue(complete.containsAll(settings.finalIterations()) && after.resumePoint() == max(settings.finalIterations()),
                "a finished run keeps its last two checkpoints, complete; " + after.describe());
        retiredLeft += after.committedOutside(settings.finalIterations());
        probesLeft += after.probes().size();
        emptyDirsLeft += after.emptyContextDirs().size();
        return after;
    }

    /** The secret key appears in no line the process printed or logged. */
    private void checkNoSecret(ChildJvm child) {
        String secret = store.secret();
        if (!secret.isEmpty()) {
            String all = String.join("\n", child.output()) + "\n" + child.stderr();
            assertFalse(all.contains(secret), "the secret key is printed or logged; " + child.describe().replace(secret, "<SECRET>"));
        }
    }

    private static int max(Set<Integer> s) {
        return s.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }

    /** Checks the restart's "Resumed from …" or "Starting from iteration 0" against the snapshot; returns the iteration. */
    private static int checkResume(String line, RunDirectorySnapshot before, ChildJvm child) {
        Matcher m = RESUMED.matcher(line);
        int resumed = m.matches() ? Integer.parseInt(m.group(1)) : 0;
        assertEquals(before.resumePoint(), resumed, "resumed from the newest complete checkpoint; " + before.describe() + child.describe());
        if (m.matches()) {
            assertEquals(before.newestComplete().orElseThrow().context(), m.group(2), "resumed from the context that committed it; "
                    + before.describe() + child.describe());
        }
        return resumed;
    }

    /** Which of {@code paths} are still in the run directory; asked path by path, since the restart is writing meanwhile. */
    private Set<String> stillThere(URI runDir, Set<String> paths) throws IOException {
        Set<String> out = new TreeSet<>();
        for (String p : paths) {
            if (store.raw().exists(runDir, p)) {
                out.add(p);
            }
        }
        return out;
    }

    private RunDirectorySnapshot snapshot(URI runDir) throws IOException {
        return RunDirectorySnapshot.read(store.raw(), runDir);
    }

    private ChildJvm startExample(URI runDir) throws IOException {
        List<String> args = new ArrayList<>(settings.alsArgs());
        args.addAll(List.of("--run-dir", runDir.toString()));
        args.addAll(store.exampleOptions());
        if (async) {
            args.add("--async");
        }
        return ChildJvm.start("als-" + store.name(), List.of("-Xmx256m"), AlternatingLeastSquares.class.getName(), args, logDir);
    }

    /**
     * Where the process was when it was killed, from what it printed: {@code startup} before it
     * said where it resumed (JVM start, data generation, the sweep), {@code iteration k} after
     * iteration k's line (or the resume from k), {@code close} after the final line.
     */
    private static String phase(List<String> output) {
        String phase = "startup";
        for (String line : output) {
            Matcher p = PROGRESS.matcher(line);
            Matcher r = RESUMED.matcher(line);
            if (p.matches()) {
                phase = "iteration " + p.group(1);
            } else if (r.matches()) {
                phase = "iteration " + r.group(1);
            } else if (line.startsWith(FRESH)) {
                phase = "iteration 0";
            } else if (FINAL.matcher(line).matches()) {
                phase = "close";
            }
        }
        return phase;
    }

    /** The machine's load averages (1, 5, 15 minutes), from {@code /proc/loadavg}. */
    static String load() {
        try {
            String[] f = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
