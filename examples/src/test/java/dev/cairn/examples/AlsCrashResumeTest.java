package dev.cairn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.CairnContext;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills the ALS example for real: a child JVM (same java, same class path) runs it on a
 * {@code file://} run directory and is stopped with SIGKILL at three points — between
 * checkpoints, while a checkpoint's parts are being written, and between the commits of the
 * two datasets of one iteration — and restarted each time. Every restart must resume from the
 * last iteration whose checkpoints are all committed (read from the manifests by this test,
 * not by the code under test), and the last one must finish with factors bit-identical to an
 * uninterrupted run. Runs with synchronous checkpoints and with {@code --async} ones, whose parts
 * are written by a background upload while the loop goes on.
 */
class AlsCrashResumeTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final List<String> SIZES = List.of("--users", "240", "--items", "90", "--ratings", "4800", "--rank", "4",
            "--iterations", "12", "--interval", "3", "--partitions", "3", "--parallelism", "2", "--seed", "5");
    private static final Pattern RESUMED = Pattern.compile("Resumed from iteration (\\d+).*");
    private static final Pattern FINAL = Pattern.compile("Final: iteration (\\d+), RMSE ([0-9.]+) .*factors sha256 ([0-9a-f]{64})");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "async {0}")
    @ValueSource(booleans = {false, true})
    void resumesFromTheLastCommittedCheckpointAfterEachKillAndEndsBitIdentical(boolean async) throws Exception {
        List<String> referenceArgs = new ArrayList<>(SIZES);
        referenceArgs.addAll(List.of("--checkpoint-dir", tmp.resolve("reference").toString()));
        AlternatingLeastSquares.Result reference = AlternatingLeastSquares.run(
                AlternatingLeastSquares.Options.parse(referenceArgs.toArray(String[]::new)).orElseThrow());
        assertEquals(0, reference.resumedFrom());

        Path runDir = tmp.resolve("run");
        URI run = runDir.toUri();

        // 1. Between checkpoints: after iteration 5, with iteration 3 committed.
        try (Child child = Child.start(tmp, runDir, "iteration:5", async)) {
            assertEquals(Optional.empty(), child.resumedFrom());
            child.awaitLine(l -> l.startsWith("PAUSED iteration 5"));
            awaitCompleteIterations(run, Set.of(3)); // async: iteration 3's upload may still be running while the loop is paused
            child.kill();
        }

        // 2. While the checkpoint of iteration 9 is being written: parts published, no manifest.
        try (Child child = Child.start(tmp, runDir, "part:9", async)) {
            assertEquals(Optional.of(3), child.resumedFrom(), "resumes from the last committed checkpoint, not from zero");
            child.awaitLine(l -> l.startsWith("PAUSED part"));
            awaitUncommittedParts(run); // async: the other dataset's upload publishes its parts on its own time
            assertEquals(6, newest(completeIterations(run)));
            child.kill();
        }
        assertFalse(uncommittedDirs(run).isEmpty(), "the killed writer left its parts behind");

        // 3. Between the two commits of iteration 12: users committed, items not.
        try (Child child = Child.start(tmp, runDir, "commit:12", async)) {
            assertEquals(Optional.of(6), child.resumedFrom(), "the half-written iteration 9 is not read");
            assertTrue(child.stderr().contains("Removed uncommitted checkpoint"), "the parts of the killed writer are cleaned up first");
            child.awaitLine(l -> l.startsWith("PAUSED commit"));
            assertEquals(9, newest(completeIterations(run)));
            assertTrue(committedIterations(run).contains(12), "one dataset of iteration 12 is committed");
            assertFalse(completeIterations(run).contains(12));
            child.kill();
        }

        // 4. To the end.
        try (Child child = Child.start(tmp, runDir, null, async)) {
            assertEquals(Optional.of(9), child.resumedFrom(), "the half-committed iteration 12 is not read");
            assertTrue(child.stderr().contains("Removed incomplete checkpoint of iteration 12"), child.stderr());
            Matcher done = child.awaitMatch(FINAL);
            assertEquals(0, child.waitForExit(), child.describe());
            assertEquals("12", done.group(1));
            assertEquals(reference.factorsSha256(), done.group(3), "factors bit-identical to the uninterrupted run");
            assertEquals(reference.rmse(), Double.parseDouble(done.group(2)), 1e-9);
            assertFalse(child.stderr().contains("trying an earlier checkpoint"), "no partial checkpoint was tried:\n" + child.stderr());
        }
        assertEquals(List.of(), uncommittedDirs(run), "the debris of the killed writers is gone");
        assertEquals(Set.of(9, 12), completeIterations(run), "the last two checkpoints are kept");
        assertEquals(Set.of(9, 12), committedIterations(run), "nothing half committed is left");
    }

    // ---------------------------------------------------------------- the run directory, read independently

    /** For each committed dataset checkpoint: its context directory, iteration and dataset name. */
    private record Committed(String context, int iteration, String name, Set<String> all) {
    }

    private static List<Committed> committed(URI run) throws IOException {
        List<Committed> out = new ArrayList<>();
        try (CairnContext ctx = CairnContext.builder().parallelism(1).build()) {
            Storage storage = dev.cairn.storage.StorageRegistry.create(ctx.options(), List.of(), AlsCrashResumeTest.class.getClassLoader()).storageFor(run);
            for (FileStatus context : storage.list(run)) {
                for (FileStatus ds : storage.list(context.location())) {
                    URI manifestFile = CheckpointLayout.child(ds.location(), CheckpointManifest.FILE_NAME);
                    if (storage.list(ds.location()).stream().noneMatch(f -> f.location().equals(manifestFile))) {
                        continue;
                    }
                    CheckpointManifest m;
                    try (java.io.InputStream in = storage.open(manifestFile)) {
                        m = CheckpointManifest.parse(in.readAllBytes()); // read independently of the loop's own scan
                    } catch (CheckpointManifest.FormatException e) {
                        throw new IOException(e);
                    }
                    out.add(new Committed(context.name(), Integer.parseInt(m.metadata().get("cairn.loop.iteration")),
                            m.metadata().get("cairn.loop.dataset"), Set.of(m.metadata().get("cairn.loop.datasets").split(","))));
                }
            }
        }
        return out;
    }

    private static Set<Integer> committedIterations(URI run) throws IOException {
        Set<Integer> out = new TreeSet<>();
        committed(run).forEach(c -> out.add(c.iteration()));
        return out;
    }

    /** Iterations whose datasets were all committed by one process. */
    private static Set<Integer> completeIterations(URI run) throws IOException {
        Map<String, Set<String>> names = new HashMap<>();
        Map<String, Set<String>> wanted = new HashMap<>();
        for (Committed c : committed(run)) {
            String key = c.context() + "/" + c.iteration();
            names.computeIfAbsent(key, k -> new HashSet<>()).add(c.name());
            wanted.put(key, c.all());
        }
        Set<Integer> out = new TreeSet<>();
        names.forEach((key, have) -> {
            if (have.containsAll(wanted.get(key))) {
                out.add(Integer.parseInt(key.substring(key.indexOf('/') + 1)));
            }
        });
        return out;
    }

    /** Waits until the complete iterations are {@code expected}: a background upload commits on its own time. */
    private static void awaitCompleteIterations(URI run, Set<Integer> expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Set<Integer> found = completeIterations(run);
        while (!found.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            found = completeIterations(run);
        }
        assertEquals(expected, found);
    }

    /** Waits until some uncommitted checkpoint directory holds a part file: a checkpoint half written. */
    private static void awaitUncommittedParts(URI run) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            for (URI dir : uncommittedDirs(run)) {
                try (java.util.stream.Stream<Path> files = Files.list(Path.of(dir))) {
                    if (files.anyMatch(f -> f.getFileName().toString().startsWith("part-"))) {
                        return;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                fail("No uncommitted checkpoint with a published part in " + run + " within " + WAIT);
            }
            Thread.sleep(20);
        }
    }

    private static int newest(Set<Integer> iterations) {
        return iterations.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private static List<URI> uncommittedDirs(URI run) throws IOException {
        List<URI> out = new ArrayList<>();
        try (CairnContext ctx = CairnContext.builder().parallelism(1).build()) {
            Storage storage = dev.cairn.storage.StorageRegistry.create(ctx.options(), List.of(), AlsCrashResumeTest.class.getClassLoader()).storageFor(run);
            for (FileStatus context : storage.list(run)) {
                for (FileStatus ds : storage.list(context.location())) {
                    if (storage.list(ds.location()).stream().noneMatch(f -> f.name().equals(CheckpointManifest.FILE_NAME))) {
                        out.add(ds.location());
                    }
                }
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- the child JVM

    /** The crashable example running in a child JVM. */
    private record Child(ChildJvm jvm) implements AutoCloseable {
        static Child start(Path tmp, Path runDir, String pauseAt, boolean async) throws IOException {
            List<String> args = new ArrayList<>(SIZES);
            args.addAll(List.of("--run-dir", runDir.toString()));
            if (pauseAt != null) {
                args.addAll(List.of("--pause-at", pauseAt));
            }
            if (async) {
                args.add("--async");
            }
            return new Child(ChildJvm.start("als", List.of("-Xmx256m"), CrashableAls.class.getName(), args, tmp));
        }

        /** The iteration the child says it resumed from (empty when it started from zero). */
        Optional<Integer> resumedFrom() throws InterruptedException {
            String line = awaitLine(l -> RESUMED.matcher(l).matches() || l.startsWith("Starting from iteration 0"));
            Matcher m = RESUMED.matcher(line);
            return m.matches() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
        }

        Matcher awaitMatch(Pattern pattern) throws InterruptedException {
            return jvm.awaitMatch(pattern, WAIT);
        }

        String awaitLine(java.util.function.Predicate<String> wanted) throws InterruptedException {
            return jvm.awaitLine(wanted, WAIT);
        }

        void kill() throws InterruptedException {
            jvm.kill(WAIT);
        }

        int waitForExit() throws InterruptedException {
            return jvm.waitForExit(WAIT);
        }

        String stderr() {
            return jvm.stderr();
        }

        String describe() {
            return jvm.describe();
        }

        @Override
        public void close() {
            jvm.close();
        }
    }
}
