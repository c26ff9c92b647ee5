package dev.cairn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.ml.ResumableLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a resume leaves of the directory of a process killed between the commits of one
 * iteration: docs/iterative.md promises that {@code run()} removes "context directories left
 * empty", its own removals included (the kill campaign on {@code file://} found the one it
 * emptied itself left until the next resume); and what a process killed during storage-s3's
 * store probe leaves.
 */
class RunDirectoryCleanupTest {
    @TempDir
    Path tmp;

    @Test
    void aResumeRemovesTheContextDirectoryOfAProcessKilledBetweenItsCommits() throws IOException {
        Path run = tmp.resolve("run");
        Path killed = halfCommittedRun(run);

        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(run.toUri()).build()) {
            ResumableLoop.Result<Dataset<Long>> r = loop(ctx, run).run(() -> ctx.range(0, 100, 2), (i, s) -> s.map(x -> x + 1));
            assertEquals(0, r.resumedFrom(), "the half-committed iteration is not resumed from");
        }
        assertFalse(Files.exists(killed), "the dead process's context directory is gone; left: " + list(run));
    }

    /**
     * storage-s3 probes a store on its first write with a scratch object next to the first file,
     * {@code <dir>/.cairn-probe-<uuid>}, and deletes it again. The kill campaign killed a process
     * between the two on {@code s3://}: the object stayed in an uncommitted checkpoint directory,
     * and every later resume logs "Kept 1 files Cairn does not write in uncommitted checkpoint …"
     * and leaves it. Here the same file is put on {@code file://} where a killed probe leaves it.
     */
    @Test
    void aResumeRemovesTheStoreProbeAKilledProcessLeft() throws IOException {
        Path run = tmp.resolve("run");
        Path dead = Files.createDirectories(run.resolve("0b5c5e0e-0000-4000-8000-000000000001").resolve("dataset-36"));
        Path probe = Files.writeString(dead.resolve(".cairn-probe-" + java.util.UUID.randomUUID()), "cairn store probe");

        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(run.toUri()).build()) {
            loop(ctx, run).run(() -> ctx.range(0, 100, 2), (i, s) -> s.map(x -> x + 1));
        }
        assertFalse(Files.exists(probe), "the probe a killed process left is swept with its uncommitted checkpoint; left: " + list(run));
        assertFalse(Files.exists(dead), list(run).toString());
    }

    private static ResumableLoop<Dataset<Long>> loop(CairnContext ctx, Path run) {
        return ResumableLoop.<Long>forDataset(ctx).runDirectory(run.toUri().toString()).checkpointInterval(2).maxIterations(2).build();
    }

    /**
     * A run directory as a process killed between two commits leaves it: a loop whose state has two
     * datasets ran to iteration 2; then the manifest of the second is removed, as if the process
     * died before writing it. Returns that process's context directory.
     */
    private static Path halfCommittedRun(Path run) throws IOException {
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(run.toUri()).build()) {
            ResumableLoop.builder(ctx, new ResumableLoop.StateCodec<List<Dataset<Long>>>() {
                @Override
                public java.util.Map<String, Dataset<?>> datasets(List<Dataset<Long>> s) {
                    java.util.Map<String, Dataset<?>> m = new java.util.LinkedHashMap<>();
                    m.put("a", s.get(0));
                    m.put("b", s.get(1));
                    return m;
                }

                @Override
                public List<Dataset<Long>> restore(dev.cairn.ml.LoopCheckpoint c) {
                    return List.of(c.dataset("a"), c.dataset("b"));
                }
            }).runDirectory(run.toUri().toString()).checkpointInterval(2).maxIterations(2).build()
                    .run(() -> List.of(ctx.range(0, 10, 2), ctx.range(0, 10, 2)), (i, s) -> List.of(s.get(0).map(x -> x + 1),
                            s.get(1).map(x -> x + 2)));
        }
        Path context;
        try (Stream<Path> contexts = Files.list(run)) {
            context = contexts.findFirst().orElseThrow();
        }
        Path second;
        try (Stream<Path> datasets = Files.list(context)) {
            // the higher id: the dataset made second, "b"; ids are not zero-padded, so compare them as numbers
            second = datasets.max(java.util.Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString().substring(8))))
                    .orElseThrow();
        }
        Files.delete(second.resolve("_manifest.json"));
        assertTrue(Files.exists(context.resolve(second.getFileName())), "the second dataset's parts stay, uncommitted");
        return context;
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.toList();
        }
    }
}
