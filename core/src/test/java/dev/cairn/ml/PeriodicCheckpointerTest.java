package dev.cairn.ml;

import static dev.cairn.ml.MlTestSupport.awaitAfterGc;
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
import dev.cairn.StorageLevel;
import dev.cairn.storage.memory.MemoryStorage;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PeriodicCheckpointerTest {
    private static final String VOLUME = "periodic";
    private static final URI DIR = URI.create("memory://" + VOLUME + "/ckpt");

    @AfterEach
    void clear() {
        MemoryStorage.clear(VOLUME);
    }

    private static CairnContext context() {
        return CairnContext.builder().parallelism(2).checkpointDir(DIR).build();
    }

    @Test
    void checkpointsEveryIntervalthUpdateWithItsMetadata() {
        try (CairnContext ctx = context()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(3).keep(10).build();
            Dataset<Long> ds = ctx.range(0, 100, 4);
            List<Integer> marked = new ArrayList<>();
            List<Integer> checkpointed = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                ds = ds.map(x -> x + 1);
                if (checkpointer.update(ds, Map.of("update", Integer.toString(i)))) {
                    marked.add(i);
                }
                assertEquals(StorageLevel.MEMORY_AND_DISK, ds.storageLevel().orElseThrow());
                assertEquals(4950L + 100L * i, ds.reduce(Long::sum)); // the sum of [i, 100 + i)
                if (ds.isCheckpointed()) {
                    checkpointed.add(i);
                }
            }
            assertEquals(List.of(3, 6, 9), marked);
            assertEquals(List.of(3, 6, 9), checkpointed, "lazy marks are written by the next action");
            List<PeriodicCheckpointer.Checkpoint> kept = checkpointer.checkpoints();
            assertEquals(List.of(3, 6, 9), kept.stream().map(PeriodicCheckpointer.Checkpoint::update).toList());
            for (PeriodicCheckpointer.Checkpoint c : kept) {
                assertEquals(Integer.toString(c.update()), manifest(ctx, c.location()).metadata().get("update"));
                assertEquals(Map.of("update", Integer.toString(c.update())), c.metadata());
            }
            assertEquals(9, checkpointer.lastCheckpoint().orElseThrow().update());
            assertEquals(10, checkpointer.updateCount());
        }
    }

    @Test
    void keepsTheLastKCheckpointsAndDeletesTheRest() {
        List<URI> kept;
        try (CairnContext ctx = context()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(2).keep(2).build();
            Dataset<Long> ds = ctx.range(0, 50, 2);
            for (int i = 1; i <= 10; i++) {
                ds = ds.map(x -> x * 3 % 1009);
                checkpointer.update(ds);
                ds.count();
            }
            List<PeriodicCheckpointer.Checkpoint> checkpoints = checkpointer.checkpoints();
            assertEquals(List.of(8, 10), checkpoints.stream().map(PeriodicCheckpointer.Checkpoint::update).toList());
            kept = checkpoints.stream().map(PeriodicCheckpointer.Checkpoint::location).toList();
            assertEquals(ds.checkpointLocation().orElseThrow(), kept.get(1));
        }
        // Closing runs the deletions still waiting for their datasets to be collected.
        try (CairnContext look = CairnContext.builder().parallelism(1).build()) {
            assertEquals(Set.copyOf(kept), Set.copyOf(datasetDirs(look, DIR)));
        }
    }

    @Test
    void deletesOldCheckpointFilesWhileRunningOnceTheirDatasetsAreUnreachable() {
        try (CairnContext ctx = context()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(1).keepPersisted(1).build();
            List<URI> locations = new ArrayList<>();
            Dataset<Long> ds = ctx.range(0, 20, 2);
            for (int i = 1; i <= 6; i++) {
                ds = ds.map(x -> x + 1);
                checkpointer.update(ds);
                ds.count();
                locations.add(ds.checkpointLocation().orElseThrow());
            }
            URI newest = locations.get(5);
            assertEquals(newest, checkpointer.lastCheckpoint().orElseThrow().location()); // applies retention to update 6's commit
            List<URI> old = locations.subList(0, 5);
            awaitAfterGc(() -> {
                List<URI> dirs = datasetDirs(ctx, DIR);
                return old.stream().noneMatch(dirs::contains);
            }, "the checkpoints of updates 1-5 to be deleted");
            assertEquals(List.of(newest), datasetDirs(ctx, DIR));
            assertEquals(25L, ds.reduce(Math::max), "the newest dataset still reads its checkpoint");
        }
    }

    @ParameterizedTest
    @EnumSource(value = CheckpointMode.class, names = {"LAZY", "EAGER"})
    void anOlderCheckpointSurvivesWhenTheNewerOneFailsToCommit(CheckpointMode mode) {
        AtomicBoolean failManifests = new AtomicBoolean();
        List<URI> kept;
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(DIR)
                .storageProvider(MlTestSupport.failingManifests(failManifests)).build()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(2).keep(1).mode(mode).build();
            Dataset<Long> ds = ctx.range(0, 40, 4);
            for (int i = 1; i <= 2; i++) {
                ds = ds.map(x -> x + 1);
                checkpointer.update(ds);
                ds.count();
            }
            URI second = checkpointer.lastCheckpoint().orElseThrow().location();

            ds = ds.map(x -> x + 1);
            checkpointer.update(ds);
            ds.count();
            Dataset<Long> fourth = ds.map(x -> x + 1);
            failManifests.set(true);
            // The newer checkpoint fails at its commit: lazily in the action, eagerly in update() itself.
            CairnException failure = assertThrows(CairnException.class, () -> {
                checkpointer.update(fourth);
                fourth.count();
            });
            assertTrue(failure.getMessage().contains("_manifest.json"), failure.getMessage());
            failManifests.set(false);
            assertFalse(fourth.isCheckpointed());
            assertEquals(2, checkpointer.lastCheckpoint().orElseThrow().update(), "the older checkpoint is still the last one");
            assertEquals(List.of(second), committedDirs(ctx, DIR), "the older checkpoint's files are in place");
            assertEquals(List.of(second), datasetDirs(ctx, DIR), "the failed checkpoint left no parts behind");
            try (CairnContext other = CairnContext.builder().parallelism(1).build()) {
                assertEquals(List.of(2L, 3L, 4L), other.<Long>readCheckpoint(second).take(3));
            }

            ds = fourth;
            for (int i = 5; i <= 6; i++) {
                ds = ds.map(x -> x + 1);
                checkpointer.update(ds);
                ds.count();
            }
            PeriodicCheckpointer.Checkpoint last = checkpointer.lastCheckpoint().orElseThrow();
            assertEquals(6, last.update());
            assertEquals(List.of(last), checkpointer.checkpoints());
            kept = List.of(last.location());
        }
        try (CairnContext look = CairnContext.builder().parallelism(1).build()) {
            assertEquals(kept, committedDirs(look, DIR));
            assertEquals(kept, datasetDirs(look, DIR), "once the newer one committed, the older ones were deleted");
        }
    }

    @Test
    void inAsyncModeAFailedBackgroundCheckpointKeepsTheOlderOneAndTheLoopGoesOn() {
        AtomicBoolean failManifests = new AtomicBoolean();
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(DIR)
                .storageProvider(MlTestSupport.failingManifests(failManifests)).build()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(1).keep(1)
                    .mode(CheckpointMode.ASYNC).build();
            Dataset<Long> ds = ctx.range(0, 40, 4);
            ds = ds.map(x -> x + 1);
            checkpointer.update(ds);
            ds.count();
            checkpointer.awaitCheckpoints();
            URI first = checkpointer.lastCheckpoint().orElseThrow().location();

            failManifests.set(true);
            Dataset<Long> second = ds.map(x -> x + 1);
            checkpointer.update(second);
            assertEquals(40, second.count(), "the action returns; the failure happens in the background");
            CairnException failure = assertThrows(CairnException.class, checkpointer::awaitCheckpoints);
            assertTrue(failure.getMessage().contains("_manifest.json"), failure.getMessage());
            failManifests.set(false);
            assertEquals(1, checkpointer.lastCheckpoint().orElseThrow().update(), "the older checkpoint is still the last one");
            assertEquals(List.of(first), committedDirs(ctx, DIR));

            Dataset<Long> third = second.map(x -> x + 1);
            checkpointer.update(third); // waits for nothing: the failed upload is over
            assertEquals(40, third.count());
            checkpointer.awaitCheckpoints();
            assertEquals(3, checkpointer.lastCheckpoint().orElseThrow().update());
            assertEquals(List.of(3L, 4L, 5L), third.take(3), "0, 1, 2 plus one per update");
        }
    }

    @Test
    void lineageDepthStaysBoundedOverAHundredUpdates() {
        try (CairnContext ctx = context()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(10).build();
            Dataset<Long> ds = ctx.range(0, 200, 2);
            Dataset<Long> unchecked = ds;
            int deepest = 0;
            for (int i = 1; i <= 100; i++) {
                ds = ds.filter(x -> x % 7 != 3).map(x -> x + 7);
                unchecked = unchecked.filter(x -> x % 7 != 3).map(x -> x + 7);
                checkpointer.update(ds);
                ds.count();
                deepest = Math.max(deepest, ds.lineageDepth());
                assertTrue(checkpointer.checkpoints().size() <= 1);
            }
            // Between checkpoints two levels are added per update; a checkpoint cuts them to the checkpoint source.
            assertTrue(deepest <= 2 * 10 + 2, "deepest lineage " + deepest);
            assertEquals(201, unchecked.lineageDepth(), "without checkpoints the lineage grows with every update");
            assertEquals(unchecked.collect(), ds.collect());
        }
    }

    @Test
    void datasetsUpdatedTogetherCommitTogether() {
        try (CairnContext ctx = context()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(1).build();
            Dataset<Long> users = ctx.range(0, 10, 2).map(x -> x * 2);
            Dataset<Long> items = users.map(x -> x + 1);
            assertTrue(checkpointer.update(List.of(users, items)));
            users.count();
            assertTrue(users.isCheckpointed());
            assertTrue(checkpointer.lastCheckpoint().isEmpty(), "half of an update is not a checkpoint");
            items.count();
            PeriodicCheckpointer.Checkpoint both = checkpointer.lastCheckpoint().orElseThrow();
            assertEquals(List.of(users.checkpointLocation().orElseThrow(), items.checkpointLocation().orElseThrow()), both.locations());

            Dataset<Long> users2 = items.map(x -> x * 2);
            Dataset<Long> items2 = users2.map(x -> x + 1);
            checkpointer.update(List.of(users2, items2));
            items2.count(); // computes users2 too: both marks are written by one action
            assertTrue(users2.isCheckpointed());
            assertEquals(2, checkpointer.lastCheckpoint().orElseThrow().update());
            assertEquals(1, checkpointer.checkpoints().size());
        }
    }

    @Test
    void writesToItsOwnDirectoryAndLeavesTheContextsAlone() {
        URI own = URI.create("memory://" + VOLUME + "/own");
        try (CairnContext ctx = context()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(1).checkpointDir(own)
                    .mode(CheckpointMode.EAGER).build();
            Dataset<Long> ds = ctx.range(0, 10, 2);
            checkpointer.update(ds);
            assertTrue(ds.isCheckpointed(), "eager: written by update()");
            assertTrue(ds.checkpointLocation().orElseThrow().toString().startsWith(own + "/"), ds.checkpointLocation().toString());
            assertEquals(DIR, ctx.checkpointDir().orElseThrow());
            Dataset<Long> plain = ctx.range(0, 3, 1).checkpoint(CheckpointMode.EAGER);
            assertTrue(plain.checkpointLocation().orElseThrow().toString().startsWith(DIR + "/"));
        }
    }

    @Test
    void unpersistsOnlyWhatItPersistedBeyondKeepPersisted() {
        try (CairnContext ctx = context()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(100).keepPersisted(2).build();
            Dataset<Long> mine = ctx.range(0, 10, 2).cache();
            checkpointer.update(mine);
            List<Dataset<Long>> all = new ArrayList<>();
            Dataset<Long> ds = mine;
            for (int i = 0; i < 3; i++) {
                ds = ds.map(x -> x + 1);
                checkpointer.update(ds);
                all.add(ds);
            }
            assertEquals(StorageLevel.MEMORY, mine.storageLevel().orElseThrow(), "persisted by the caller: left as it was");
            assertTrue(all.get(0).storageLevel().isEmpty());
            assertTrue(all.get(1).storageLevel().isPresent());
            assertTrue(all.get(2).storageLevel().isPresent());
            checkpointer.unpersistAll();
            assertTrue(all.get(2).storageLevel().isEmpty());
        }
    }

    @Test
    void deleteAllCheckpointsRemovesEverythingOnceUnreachable() {
        try (CairnContext ctx = context()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(1).keep(3).build();
            Dataset<Long> ds = ctx.range(0, 10, 2);
            for (int i = 0; i < 3; i++) {
                ds = ds.map(x -> x + 1);
                checkpointer.update(ds);
                ds.count();
            }
            Dataset<Long> marked = ds.map(x -> x + 1);
            checkpointer.update(marked);
            assertEquals(3, committedDirs(ctx, DIR).size());
            checkpointer.deleteAllCheckpoints();
            assertTrue(checkpointer.checkpoints().isEmpty());
            assertEquals(13L, marked.reduce(Math::max));
            assertFalse(marked.isCheckpointed(), "a mark not yet written is dropped");
            assertTrue(ds.isCheckpointed(), "a dataset still referenced keeps reading its files");
        }
        try (CairnContext look = CairnContext.builder().parallelism(1).build()) {
            assertEquals(List.of(), datasetDirs(look, DIR));
        }
    }

    @Test
    void refusesToBuildWithoutIntervalOrDirectory() {
        try (CairnContext ctx = CairnContext.builder().parallelism(1).build()) {
            CairnException noDir = assertThrows(CairnException.class, () -> PeriodicCheckpointer.<Long>builder(ctx).interval(2).build());
            assertTrue(noDir.getMessage().startsWith("Cannot build periodic checkpointer"), noDir.getMessage());
            assertTrue(noDir.getMessage().contains("checkpointDir("), noDir.getMessage());
            CairnException noInterval = assertThrows(CairnException.class,
                    () -> PeriodicCheckpointer.<Long>builder(ctx).checkpointDir(DIR).build());
            assertTrue(noInterval.getMessage().contains("interval(n)"), noInterval.getMessage());
            CairnException zero = assertThrows(CairnException.class, () -> PeriodicCheckpointer.<Long>builder(ctx).keep(0));
            assertTrue(zero.getMessage().contains("found 0"), zero.getMessage());
        }
    }

    @Test
    void refusesDatasetsOfAnotherContext() {
        try (CairnContext ctx = context(); CairnContext other = context()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(1).build();
            CairnException e = assertThrows(CairnException.class, () -> checkpointer.update(other.range(0, 1, 1)));
            assertTrue(e.getMessage().contains("use one checkpointer per context"), e.getMessage());
            assertEquals(0, checkpointer.updateCount());
            assertFalse(exists(ctx, DIR));
        }
    }
}
