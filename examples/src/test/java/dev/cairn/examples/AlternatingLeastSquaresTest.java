package dev.cairn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlternatingLeastSquaresTest {
    @TempDir
    Path tmp;

    private static AlternatingLeastSquares.Options options(String... extra) {
        List<String> args = new ArrayList<>(List.of("--users", "400", "--items", "150", "--ratings", "12000", "--rank", "5",
                "--noise", "0.1", "--partitions", "3", "--parallelism", "2", "--seed", "3"));
        args.addAll(List.of(extra));
        return AlternatingLeastSquares.Options.parse(args.toArray(String[]::new)).orElseThrow();
    }

    /**
     * The bound: a least-squares fit of (users + items) × rank free parameters to N ratings with
     * Gaussian noise σ leaves a training RMSE of about σ·√(1 − (users + items)·rank / N); here
     * 0.1·√(1 − 2750 / 12000) = 0.0878. Converged ALS must be within 10% of it, and far below
     * where it started.
     */
    @Test
    void convergesToTheNoiseOfTheSyntheticData() {
        AlternatingLeastSquares.Result r = AlternatingLeastSquares.run(options("--iterations", "12", "--interval", "5",
                "--checkpoint-dir", tmp.toString()));
        double expected = 0.1 * Math.sqrt(1 - (400.0 + 150) * 5 / 12000);
        assertTrue(r.rmse() < 1.1 * expected, "RMSE " + r.rmse() + " should be below " + 1.1 * expected);
        assertTrue(r.rmse() > 0.9 * expected, "RMSE " + r.rmse() + " below the noise floor " + expected + " means a broken measure");
        assertTrue(r.rmseByIteration().get(1) > 3 * r.rmse(), "RMSE falls: " + r.rmseByIteration());
        assertEquals(12, r.rmseByIteration().size());
    }

    @Test
    void extendingAKeptRunResumesItAndMatchesAStraightRun() {
        String runDir = tmp.resolve("run").toString();
        AlternatingLeastSquares.Result first = AlternatingLeastSquares.run(options("--iterations", "4", "--interval", "3", "--run-dir", runDir));
        assertEquals(0, first.resumedFrom());
        AlternatingLeastSquares.Result extended = AlternatingLeastSquares.run(options("--iterations", "7", "--interval", "3", "--run-dir", runDir));
        assertEquals(4, extended.resumedFrom(), "iteration 4 was the last one, so it was checkpointed");
        assertEquals(List.of(5, 6, 7), new ArrayList<>(extended.rmseByIteration().keySet()));
        AlternatingLeastSquares.Result straight = AlternatingLeastSquares.run(options("--iterations", "7", "--interval", "3",
                "--checkpoint-dir", tmp.resolve("straight").toString()));
        assertEquals(straight.factorsSha256(), extended.factorsSha256());
        assertEquals(straight.rmse(), extended.rmse(), 0.0);
    }

    /**
     * {@code --async}: the same factors to the last bit, each iteration's line says how many
     * checkpoints are uploading, and a line says when each one commits (here every 3 iterations and
     * after the last), in iteration order.
     */
    @Test
    void asyncCheckpointsGiveTheSameFactorsAndShowTheUploads() {
        AlternatingLeastSquares.Result sync = AlternatingLeastSquares.run(options("--iterations", "7", "--interval", "3",
                "--checkpoint-dir", tmp.resolve("sync").toString()));
        String[] out = new String[1];
        AlternatingLeastSquares.Result async = StandardOutput.capture(out, () -> AlternatingLeastSquares.run(options("--iterations", "7",
                "--interval", "3", "--async", "--run-dir", tmp.resolve("async").toString())));
        assertEquals(sync.factorsSha256(), async.factorsSha256());
        assertEquals(sync.rmseByIteration(), async.rmseByIteration());
        List<String> lines = List.of(out[0].split("\n"));
        assertTrue(lines.get(0).endsWith("checkpoint every 3 in the background"), lines.get(0));
        assertEquals(7, lines.stream().filter(l -> l.startsWith("ALS") && l.matches(".*RMSE [0-9.]+, uploads in flight [01]\\s*")).count(),
                out[0]);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" 3/7 ") && l.contains("uploads in flight 1")),
                "iteration 3's checkpoint is uploading when its line is printed:\n" + out[0]);
        List<String> commits = lines.stream().filter(l -> l.startsWith("    checkpoint of iteration")).map(l -> l.split(" ")[7]).toList();
        assertEquals(List.of("3", "6", "7"), commits, out[0]);
        AlternatingLeastSquares.Result resumed = AlternatingLeastSquares.run(options("--iterations", "7", "--interval", "3",
                "--run-dir", tmp.resolve("async").toString()));
        assertEquals(7, resumed.resumedFrom(), "run() returned after the last checkpoint was committed");
    }

    @Test
    void refusesToResumeARunWithOtherParameters() {
        String runDir = tmp.resolve("run").toString();
        AlternatingLeastSquares.run(options("--iterations", "1", "--run-dir", runDir));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> AlternatingLeastSquares.run(options("--iterations", "2", "--run-dir", runDir, "--lambda", "0.5")));
        assertTrue(e.getMessage().contains("lambda=0.5 given, lambda=0.003 in the checkpoint"), e.getMessage());
    }

    @Test
    void rejectsUnknownOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AlternatingLeastSquares.Options.parse(new String[] {"--iteration", "3"}));
        assertTrue(e.getMessage().contains("--iteration") && e.getMessage().contains("--iterations"), e.getMessage());
    }
}
