package dev.cairn.ml;

import static dev.cairn.ml.MlTestSupport.committedDirs;
import static dev.cairn.ml.MlTestSupport.datasetDirs;
import static dev.cairn.ml.MlTestSupport.exists;
import static dev.cairn.ml.MlTestSupport.manifest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.KeyedDataset;
import dev.cairn.Pair;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.storage.memory.MemoryStorage;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResumableLoopTest {
    private static final String VOLUME = "loop";
    private static final URI RUN = URI.create("memory://" + VOLUME + "/run");

    /** A step whose doubles depend on the iteration number: a resumed run must reproduce them bit for bit. */
    private static Dataset<Double> step(int iteration, Dataset<Double> state) {
        return state.map(x -> x * 1.01 + iteration * 0.37);
    }

    private static Dataset<Double> initial(CairnContext ctx) {
        return ctx.range(0, 60, 3).map(x -> x / 7.0);
    }

    /** The result of {@code n} steps without any loop machinery. */
    private static List<Double> reference(int n) {
        try (CairnContext ctx = CairnContext.builder().parallelism(2).build()) {
            Dataset<Double> s = initial(ctx);
            for (int i = 1; i <= n; i++) {
                s = step(i, s);
            }
            return s.collect();
        }
    }

    private static CairnContext context() {
        return CairnContext.builder().parallelism(2).build();
    }

    @AfterEach
    void clear() {
        MemoryStorage.clear(VOLUME);
    }

    /** Records what the loop reports. */
    private static final class Recorder<S> implements ResumableLoop.IterationListener<S> {
        int firstIteration = -1;
        Optional<LoopCheckpoint> resumedFrom;
        final List<Integer> iterations = new ArrayList<>();
        final List<Integer> checkpointed = new ArrayList<>();
        final List<Integer> committed = new ArrayList<>();
        final List<Integer> inFlight = new ArrayList<>();

        @Override
        public void checkpointCommitted(LoopCheckpoint checkpoint) {
            committed.add(checkpoint.iteration());
        }

        @Override
        public void uploadsInFlight(int iteration, int uploads) {
            inFlight.add(uploads);
        }

        @Override
        public void started(int firstIteration, int maxIterations, Optional<LoopCheckpoint> from) {
            this.firstIteration = firstIteration;
            this.resumedFrom = from;
        }

        @Override
        public void iterationDone(int iteration, S state, Optional<LoopCheckpoint> checkpoint) {
            iterations.add(iteration);
            checkpoint.ifPresent(c -> checkpointed.add(c.iteration()));
        }
    }

    private static ResumableLoop<Dataset<Double>> loop(CairnContext ctx, int max, int interval, Recorder<Dataset<Double>> recorder) {
        return ResumableLoop.<Double>forDataset(ctx).runDirectory(RUN).checkpointInterval(interval).maxIterations(max)
                .metadata(Map.of("seed", "7")).listener(recorder).build();
    }

    @Test
    void freshRunCheckpointsEveryIntervalAndTheLastIteration() {
        Recorder<Dataset<Double>> recorder = new Recorder<>();
        try (CairnContext ctx = context()) {
            ResumableLoop.Result<Dataset<Double>> result = loop(ctx, 7, 3, recorder).run(() -> initial(ctx), ResumableLoopTest::step);
            assertEquals(0, result.resumedFrom());
            assertEquals(7, result.iteration());
            assertEquals(reference(7), result.state().collect());
            assertEquals(1, recorder.firstIteration);
            assertEquals(Optional.empty(), recorder.resumedFrom);
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), recorder.iterations);
            assertEquals(List.of(3, 6, 7), recorder.checkpointed);
            URI last = result.state().checkpointLocation().orElseThrow();
            Map<String, String> metadata = manifest(ctx, last).metadata();
            assertEquals("7", metadata.get("cairn.loop.iteration"));
            assertEquals("state", metadata.get("cairn.loop.dataset"));
            assertEquals("7", metadata.get("seed"));
        }
        try (CairnContext look = context()) {
            Set<String> iterations = new TreeSet<>();
            for (URI dir : committedDirs(look, RUN)) {
                iterations.add(manifest(look, dir).metadata().get("cairn.loop.iteration"));
            }
            assertEquals(Set.of("6", "7"), iterations, "keeps the last two checkpoints");
            assertEquals(2, datasetDirs(look, RUN).size());
        }
    }

    @Test
    void asyncCheckpointsAreWrittenInTheBackgroundCommittedInOrderAndAllDoneWhenRunReturns() {
        Recorder<Dataset<Double>> recorder = new Recorder<>();
        try (CairnContext ctx = context()) {
            ResumableLoop.Result<Dataset<Double>> result = ResumableLoop.<Double>forDataset(ctx).runDirectory(RUN).checkpointInterval(2)
                    .maxIterations(7).metadata(Map.of("seed", "7")).listener(recorder).async(true).build()
                    .run(() -> initial(ctx), ResumableLoopTest::step);
            assertEquals(reference(7), result.state().collect(), "bit-identical to a run without checkpoints");
            assertEquals(List.of(), recorder.checkpointed, "async: no checkpoint is committed when its iteration ends");
            assertEquals(List.of(2, 4, 6, 7), recorder.committed, "each commit is reported, in iteration order");
            assertEquals(7, recorder.inFlight.size());
            assertTrue(recorder.inFlight.stream().allMatch(n -> n <= 1), "at most one upload in flight: " + recorder.inFlight);
            assertTrue(result.state().isCheckpointed(), "run returns once the last checkpoint is committed");
        }
        try (CairnContext look = context()) {
            Set<String> iterations = new TreeSet<>();
            for (URI dir : committedDirs(look, RUN)) {
                iterations.add(manifest(look, dir).metadata().get("cairn.loop.iteration"));
            }
            assertEquals(Set.of("6", "7"), iterations, "keeps the last two checkpoints");
        }
        Recorder<Dataset<Double>> resumed = new Recorder<>();
        try (CairnContext again = context()) {
            ResumableLoop.Result<Dataset<Double>> result = ResumableLoop.<Double>forDataset(again).runDirectory(RUN)
                    .checkpointInterval(2).maxIterations(9).metadata(Map.of("seed", "7")).listener(resumed).async(true).build()
                    .run(() -> initial(again), ResumableLoopTest::step);
            assertEquals(7, result.resumedFrom());
            assertEquals(reference(9), result.state().collect());
            assertEquals(List.of(8, 9), resumed.committed);
        }
    }

    @Test
    void resumesAfterACrashFromTheLastCommittedIteration() {
        try (CairnContext first = context()) {
            RuntimeException crash = assertThrows(RuntimeException.class, () -> loop(first, 10, 3, new Recorder<>())
                    .run(() -> initial(first), (i, s) -> {
                        if (i == 8) {
                            throw new IllegalStateException("killed in iteration 8");
                        }
                        return step(i, s);
                    }));
            assertEquals("killed in iteration 8", crash.getMessage());
        }
        Recorder<Dataset<Double>> recorder = new Recorder<>();
        List<Integer> stepped = new ArrayList<>();
        try (CairnContext second = context()) {
            ResumableLoop<Dataset<Double>> loop = loop(second, 10, 3, recorder);
            assertEquals(6, loop.latestCheckpoint().orElseThrow().iteration());
            ResumableLoop.Result<Dataset<Double>> result = loop.run(() -> {
                throw new AssertionError("resumed runs do not rebuild the initial state");
            }, (i, s) -> {
                stepped.add(i);
                return step(i, s);
            });
            assertEquals(6, result.resumedFrom());
            assertEquals(List.of(7, 8, 9, 10), stepped, "continues after the last committed iteration, not from zero");
            assertEquals(7, recorder.firstIteration);
            assertEquals(6, recorder.resumedFrom.orElseThrow().iteration());
            assertEquals(Map.of("seed", "7"), recorder.resumedFrom.orElseThrow().metadata());
            assertEquals(List.of(9, 10), recorder.checkpointed);
            assertEquals(reference(10), result.state().collect(), "bit-identical to an uninterrupted run");
        }
    }

    @Test
    void aFinishedRunReturnsItsLastStateWithoutStepping() {
        try (CairnContext first = context()) {
            loop(first, 4, 3, new Recorder<>()).run(() -> initial(first), ResumableLoopTest::step);
        }
        try (CairnContext again = context()) {
            ResumableLoop.Result<Dataset<Double>> result = loop(again, 4, 3, new Recorder<>()).run(() -> initial(again), (i, s) -> {
                throw new AssertionError("nothing left to run, found iteration " + i);
            });
            assertEquals(4, result.resumedFrom());
            assertEquals(4, result.iteration());
            assertEquals(reference(4), result.state().collect());
        }
    }

    /** A state of two datasets, as ALS has user and item factors. */
    private record Two(Dataset<Long> a, KeyedDataset<Long, Long> b) {
    }

    private static final ResumableLoop.StateCodec<Two> TWO = new ResumableLoop.StateCodec<>() {
        @Override
        public Map<String, Dataset<?>> datasets(Two state) {
            Map<String, Dataset<?>> m = new LinkedHashMap<>();
            m.put("a", state.a());
            m.put("b", state.b());
            return m;
        }

        @Override
        public Two restore(LoopCheckpoint checkpoint) {
            return new Two(checkpoint.dataset("a"), checkpoint.keyedDataset("b"));
        }
    };

    private static Two stepTwo(int iteration, Two s) {
        Dataset<Long> a = s.a().map(x -> x * 3 + iteration);
        return new Two(a, a.keyBy(x -> x % 5).reduceByKey(Long::sum));
    }

    private static Two initialTwo(CairnContext ctx) {
        Dataset<Long> a = ctx.range(0, 30, 3);
        return new Two(a, a.keyBy(x -> x % 5));
    }

    private static ResumableLoop<Two> twoLoop(CairnContext ctx, int max, Recorder<Two> recorder) {
        return ResumableLoop.builder(ctx, TWO).runDirectory(RUN).checkpointInterval(2).maxIterations(max).listener(recorder).build();
    }

    @Test
    void cleansWhatDeadRunsLeftAndResumesFromTheLastCompleteIteration() throws IOException {
        try (CairnContext dead = context()) {
            twoLoop(dead, 4, new Recorder<>()).run(() -> initialTwo(dead), ResumableLoopTest::stepTwo);
        }
        URI incomplete;
        URI debris;
        URI stray;
        try (CairnContext killed = CairnContext.builder().parallelism(1).checkpointDir(RUN).build()) {
            // Iteration 6 of a later process that died between its two commits: only "a" committed.
            Dataset<Long> a = killed.range(0, 3, 1);
            a.checkpoint(CheckpointMode.EAGER, Map.of("cairn.loop.iteration", "6", "cairn.loop.dataset", "a", "cairn.loop.datasets", "a,b"));
            incomplete = a.checkpointLocation().orElseThrow();
            // And a checkpoint it was writing when killed: parts, no manifest.
            URI contextDir = CheckpointLayout.contextDirectory(RUN, killed.contextId());
            debris = CheckpointLayout.child(contextDir, "dataset-99");
            MlTestSupport.writeFile(killed, CheckpointLayout.child(debris, "part-00000"), new byte[] {1, 2, 3});
        }
        try (CairnContext look = context()) {
            URI four = null;
            for (URI dir : committedDirs(look, RUN)) {
                if ("4".equals(manifest(look, dir).metadata().get("cairn.loop.iteration"))) {
                    four = dir;
                }
            }
            stray = CheckpointLayout.child(four, ".part-00007.tmp");
            MlTestSupport.writeFile(look, stray, new byte[] {9});
        }

        Recorder<Two> recorder = new Recorder<>();
        try (CairnContext ctx = context()) {
            List<URI> seenAtStart = new ArrayList<>();
            ResumableLoop.Result<Two> result = ResumableLoop.builder(ctx, TWO).runDirectory(RUN).checkpointInterval(2).maxIterations(6)
                    .listener(new ResumableLoop.IterationListener<>() {
                        @Override
                        public void started(int firstIteration, int maxIterations, Optional<LoopCheckpoint> from) {
                            recorder.started(firstIteration, maxIterations, from);
                            seenAtStart.addAll(datasetDirs(ctx, RUN));
                        }

                        @Override
                        public void iterationDone(int iteration, Two state, Optional<LoopCheckpoint> checkpoint) {
                            recorder.iterationDone(iteration, state, checkpoint);
                        }
                    }).build().run(() -> initialTwo(ctx), ResumableLoopTest::stepTwo);
            assertEquals(4, result.resumedFrom(), "iteration 6 is incomplete: resume from 4");
            assertEquals(Set.of("a", "b"), recorder.resumedFrom.orElseThrow().locations().keySet());
            assertFalse(seenAtStart.contains(debris), "uncommitted parts of the killed writer are removed");
            assertFalse(seenAtStart.contains(incomplete), "half of iteration 6 is removed");
            assertFalse(exists(ctx, stray), "stray files in a committed checkpoint are removed");
            assertEquals(4, seenAtStart.size(), "iterations 2 and 4, two datasets each: " + seenAtStart);
            assertEquals(List.of(6), recorder.checkpointed);

            Two expected;
            try (CairnContext plain = context()) {
                Two s = initialTwo(plain);
                for (int i = 1; i <= 6; i++) {
                    s = stepTwo(i, s);
                }
                expected = s;
                assertEquals(expected.a().collect(), result.state().a().collect());
                assertEquals(new TreeSet<>(expected.b().collect().stream().map(Pair::toString).toList()),
                        new TreeSet<>(result.state().b().collect().stream().map(Pair::toString).toList()));
            }
        }
        try (CairnContext look = context()) {
            List<URI> left = datasetDirs(look, RUN);
            assertEquals(4, left.size(), "iterations 4 and 6 are kept; 2 was deleted once 6 committed: " + left);
            Set<String> iterations = new TreeSet<>();
            left.forEach(d -> iterations.add(manifest(look, d).metadata().get("cairn.loop.iteration")));
            assertEquals(Set.of("4", "6"), iterations);
        }
    }

    @Test
    void skipsACheckpointThatCannotBeOpenedForTheOneBefore() throws IOException {
        try (CairnContext first = context()) {
            ResumableLoop.Result<Dataset<Double>> done = loop(first, 4, 2, new Recorder<>()).run(() -> initial(first), ResumableLoopTest::step);
            URI four = done.state().checkpointLocation().orElseThrow();
            dev.cairn.RawStorage.of(four).delete(CheckpointLayout.child(four, CheckpointManifest.partName(1)));
        }
        Recorder<Dataset<Double>> recorder = new Recorder<>();
        try (CairnContext ctx = context()) {
            ResumableLoop.Result<Dataset<Double>> result = loop(ctx, 4, 2, recorder).run(() -> initial(ctx), ResumableLoopTest::step);
            assertEquals(2, result.resumedFrom(), "the broken iteration 4 is not read");
            assertEquals(List.of(3, 4), recorder.iterations);
            assertEquals(reference(4), result.state().collect());
        }
    }

    @Test
    void refusesToResumeWithOtherMetadataAndDeletesNothing() {
        try (CairnContext first = context()) {
            loop(first, 2, 1, new Recorder<>()).run(() -> initial(first), ResumableLoopTest::step);
        }
        try (CairnContext ctx = context()) {
            List<URI> before = datasetDirs(ctx, RUN);
            ResumableLoop<Dataset<Double>> other = ResumableLoop.<Double>forDataset(ctx).runDirectory(RUN).checkpointInterval(1)
                    .maxIterations(3).metadata(Map.of("seed", "8")).build();
            CairnException e = assertThrows(CairnException.class, () -> other.run(() -> initial(ctx), ResumableLoopTest::step));
            assertTrue(e.getMessage().startsWith("Cannot resume run: " + RUN), e.getMessage());
            assertTrue(e.getMessage().contains("seed=8 given, seed=7 in the checkpoint"), e.getMessage());
            assertEquals(before, datasetDirs(ctx, RUN));
        }
    }

    @Test
    void refusesSettingsThatCannotWork() {
        try (CairnContext ctx = context()) {
            CairnException noDir = assertThrows(CairnException.class,
                    () -> ResumableLoop.<Long>forDataset(ctx).checkpointInterval(1).maxIterations(1).build());
            assertTrue(noDir.getMessage().contains("runDirectory(uri)"), noDir.getMessage());
            CairnException reserved = assertThrows(CairnException.class,
                    () -> ResumableLoop.<Long>forDataset(ctx).metadata(Map.of("cairn.loop.iteration", "3")));
            assertTrue(reserved.getMessage().contains("found 'cairn.loop.iteration'"), reserved.getMessage());
            CairnException scheme = assertThrows(CairnException.class, () -> ResumableLoop.<Long>forDataset(ctx)
                    .runDirectory("nosuch://bucket/run").checkpointInterval(1).maxIterations(1).build());
            assertTrue(scheme.getMessage().contains("found 'nosuch'"), scheme.getMessage());
        }
        try (CairnContext gc = CairnContext.builder().parallelism(1).option("cairn.checkpoint.cleanup-on-gc", "true").build()) {
            CairnException e = assertThrows(CairnException.class,
                    () -> ResumableLoop.<Long>forDataset(gc).runDirectory(RUN).checkpointInterval(1).maxIterations(1).build());
            assertTrue(e.getMessage().contains("cairn.checkpoint.cleanup-on-gc=false"), e.getMessage());
        }
    }

    @Test
    void aStepThatReturnsAnAlreadyCheckpointedDatasetIsRefused() {
        try (CairnContext ctx = context()) {
            ResumableLoop<Two> loop = twoLoop(ctx, 4, new Recorder<>());
            CairnException e = assertThrows(CairnException.class,
                    () -> loop.run(() -> initialTwo(ctx), (i, s) -> new Two(s.a().map(x -> x + 1), s.b())));
            assertTrue(e.getMessage().startsWith("Cannot checkpoint the state of iteration 4"), e.getMessage());
            assertTrue(e.getMessage().contains("found 'b'") && e.getMessage().contains("already checkpointed"), e.getMessage());
        }
    }

    @Test
    void aStepThatRenamesItsDatasetsIsRefused() {
        try (CairnContext ctx = context()) {
            ResumableLoop<Two> loop = ResumableLoop.builder(ctx, new ResumableLoop.StateCodec<Two>() {
                private int calls;

                @Override
                public Map<String, Dataset<?>> datasets(Two state) {
                    return calls++ == 0 ? Map.of("a", state.a(), "b", state.b()) : Map.of("a", state.a(), "c", state.b());
                }

                @Override
                public Two restore(LoopCheckpoint checkpoint) {
                    throw new AssertionError();
                }
            }).runDirectory(RUN).checkpointInterval(1).maxIterations(2).build();
            CairnException e = assertThrows(CairnException.class, () -> loop.run(() -> initialTwo(ctx), ResumableLoopTest::stepTwo));
            assertTrue(e.getMessage().contains("expected datasets [a, b]") || e.getMessage().contains("expected datasets [b, a]"),
                    e.getMessage());
        }
    }
}
