package dev.cairn.examples.kills;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.examples.AlternatingLeastSquares;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kill campaign (issue 14): the ALS example killed with SIGKILL at random moments on
 * {@code file://}, on {@code s3://} (S3Proxy in another JVM) and on {@code hdfs://} (a mini
 * cluster in another JVM), with and without {@code --async}, restarted after each kill and
 * checked by {@link KillCampaign}.
 *
 * <p>By default a sample runs: 3 kills on each store and 3 with {@code --async} on
 * {@code file://}. The full campaign (50 kills per store and mode) runs on demand:
 * <pre>
 * mvn -B -pl examples -am verify -Pkill-campaign -Dtest=KillCampaignTest -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * or with the system properties the profile sets: {@code cairn.kills} (kills per case),
 * {@code cairn.kills.cases} (e.g. {@code file,s3,hdfs,file-async,s3-async,hdfs-async}),
 * {@code cairn.kills.iterations} (even; 6 by default, 8 in the profile), {@code cairn.kills.per-round}
 * and {@code cairn.kills.seed}. Every process is logged in
 * {@code target/kill-campaign/<case>.csv}; the figures go to {@code target/kill-campaign/summary.md}.
 */
class KillCampaignTest {
    /** Iterations per run: 6 in the sample, 8 in the full campaign (more checkpoints, commits and retirements to hit). */
    private static final int ITERATIONS = Integer.getInteger("cairn.kills.iterations", 6);
    private static final List<String> ALS = List.of("--users", "240", "--items", "90", "--ratings", "4800", "--rank", "4",
            "--iterations", Integer.toString(ITERATIONS), "--interval", "2", "--partitions", "3", "--parallelism", "2", "--seed", "5");
    /** Checkpoints every 2 iterations, the loop keeps 2: a finished run has the last two. */
    private static final Set<Integer> FINAL_CHECKPOINTS = Set.of(ITERATIONS - 2, ITERATIONS);
    private static final Path WORK = Path.of("target", "kill-campaign").toAbsolutePath();

    private static final Map<String, CampaignStore> STORES = new LinkedHashMap<>();
    private static final List<KillCampaign.Report> REPORTS = new ArrayList<>();
    private static String referenceSha;
    private static Instant started;

    static Stream<Arguments> cases() {
        String cases = System.getProperty("cairn.kills.cases", "file,s3,hdfs,file-async");
        return Stream.of(cases.split(",")).map(String::trim).filter(c -> !c.isEmpty())
                .map(c -> Arguments.of(c.replace("-async", ""), c.endsWith("-async")));
    }

    /** The factors of an uninterrupted run in this JVM: every run of the campaign, on any store, must end with them. */
    @BeforeAll
    static void reference() throws IOException {
        started = Instant.now();
        Files.createDirectories(WORK);
        List<String> args = new ArrayList<>(ALS);
        args.addAll(List.of("--checkpoint-dir", Files.createTempDirectory(WORK, "reference-").toString()));
        referenceSha = AlternatingLeastSquares.run(AlternatingLeastSquares.Options.parse(args.toArray(String[]::new)).orElseThrow())
                .factorsSha256();
    }

    @ParameterizedTest(name = "{0}, async {1}")
    @MethodSource("cases")
    void everyResumeIsFromTheLastCompleteCheckpointAndEveryRunEndsBitIdentical(String storeName, boolean async) throws Exception {
        CampaignStore store = STORES.get(storeName);
        if (store == null) {
            store = CampaignStore.start(storeName, WORK);
            STORES.put(storeName, store);
        }
        int kills = Integer.getInteger("cairn.kills", 3);
        KillCampaign.Settings settings = new KillCampaign.Settings(ALS, FINAL_CHECKPOINTS, kills,
                Integer.getInteger("cairn.kills.per-round", 5), Long.getLong("cairn.kills.seed", 20261201L), Duration.ofMinutes(5));
        KillCampaign.Report report = new KillCampaign(store, async, settings, referenceSha, WORK).run();
        REPORTS.add(report);
        writeLog(report);
        writeSummary(); // after every case, so that a long campaign stopped half way keeps its figures
        System.out.println(row(report));
        assertEquals(kills, report.kills());
        assertEquals(report.resumes(), report.resumesCorrect());
        assertEquals(report.rounds(), report.bitIdentical());
    }

    @AfterAll
    static void stopStores() throws Exception {
        for (CampaignStore s : STORES.values()) {
            s.close();
        }
        STORES.clear();
        if (!REPORTS.isEmpty()) {
            System.out.println(Files.readString(WORK.resolve("summary.md")));
        }
    }

    private static void writeSummary() throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("Kill campaign, ").append(started).append(" to ").append(Instant.now()).append(", seed ")
                .append(Long.getLong("cairn.kills.seed", 20261201L)).append(", ALS ").append(String.join(" ", ALS)).append("\n\n");
        b.append(header()).append('\n');
        REPORTS.forEach(r -> b.append(row(r)).append('\n'));
        int kills = REPORTS.stream().mapToInt(KillCampaign.Report::kills).sum();
        int resumes = REPORTS.stream().mapToInt(KillCampaign.Report::resumes).sum();
        int correct = REPORTS.stream().mapToInt(KillCampaign.Report::resumesCorrect).sum();
        int rounds = REPORTS.stream().mapToInt(KillCampaign.Report::rounds).sum();
        int identical = REPORTS.stream().mapToInt(KillCampaign.Report::bitIdentical).sum();
        long took = REPORTS.stream().mapToLong(KillCampaign.Report::tookMillis).sum();
        b.append(String.format("| **all** | **%d** | %d/%d | %d/%d | | | | | | | %.0f s | |%n", kills, correct, resumes, identical, rounds,
                took / 1000.0));
        Files.writeString(WORK.resolve("summary.md"), b.toString());
    }

    private static String header() {
        return "| case | kills | resumes correct | runs bit-identical | killed in startup / iterations / close | left uncommitted | left half-committed"
                + " | debris swept | left by finished runs: retired / empty dirs / probes | uninterrupted run | took | load before → after |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|";
    }

    private static String row(KillCampaign.Report r) {
        return String.format("| %s | %d | %d/%d | %d/%d | %d / %d / %d | %d | %d | %d | %d / %d / %d | %.1f s | %.0f s | %s → %s |", r.name(),
                r.kills(), r.resumesCorrect(), r.resumes(), r.bitIdentical(), r.rounds(), r.killsInStartup(), r.killsInIterations(),
                r.killsInClose(), r.leftUncommitted(), r.leftIncomplete(), r.debrisSwept(), r.retiredLeft(), r.emptyDirsLeft(), r.probesLeft(),
                r.referenceMillis() / 1000.0,
                r.tookMillis() / 1000.0,
                r.loadBefore(), r.loadAfter());
    }

    private static void writeLog(KillCampaign.Report r) throws IOException {
        List<String> lines = new ArrayList<>(List.of(KillCampaign.Attempt.header()));
        r.attempts().forEach(a -> lines.add(a.csv()));
        Files.write(WORK.resolve(r.store() + (r.async() ? "-async" : "") + ".csv"), lines);
    }
}
