package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.memory.MemoryStorage;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Quick end-to-end checks of both checkpoint kinds on memory://; the full suite lives in storage-tck. */
class CheckpointSmokeTest {

    @AfterEach
    void clear() {
        MemoryStorage.clear("smoke");
    }

    @Test
    void lazyReliableCheckpointWritesOnceCutsLineageAndReadsBack() {
        AtomicLong calls = new AtomicLong();
        URI location;
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir("memory://smoke/ckpt").build()) {
            Dataset<Long> ds = ctx.range(0, 1000, 4).map(x -> {
                calls.incrementAndGet();
                return x + 1;
            });
            ds.checkpoint();
            assertEquals(CheckpointState.MARKED, ds.checkpointState());
            assertEquals(1000, ds.count());
            assertEquals(1000, calls.get(), "write-through: each record computed once");
            assertTrue(ds.isCheckpointed());
            assertEquals(1, ds.parents().size());
            assertTrue(ds.parents().get(0).lineage().startsWith("ReliableCheckpointDataset["), ds.lineage());
            assertEquals(500_500L, ds.reduce(Long::sum));
            assertEquals(1000, calls.get(), "after the cut, records come from the files");
            location = ds.checkpointLocation().orElseThrow();
        }
        try (CairnContext other = CairnContext.builder().parallelism(2).build()) {
            Dataset<Long> back = other.readCheckpoint(location);
            assertEquals(4, back.numPartitions());
            assertEquals(500_500L, back.reduce(Long::sum));
        }
    }

    /** A record a reader could never decode (issue 14.3). */
    record Holder(long id, Object payload) {
    }

    @Test
    void aCheckpointWhoseRecordsCouldNotBeReadBackFailsAndTheLineageStays() {
        for (String serializer : List.of("kryo", "java")) {
            try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir("memory://smoke/ckpt")
                    .option("cairn.serializer", serializer).build()) {
                Dataset<Holder> ds = ctx.range(0, 10, 2).map(x -> new Holder(x, (Runnable) () -> { }));
                CheckpointException e = assertThrows(CheckpointException.class,
                        () -> ds.checkpoint(CheckpointMode.EAGER), serializer);
                assertTrue(e.getMessage().contains("Holder"), serializer + ": " + e.getMessage());
                assertEquals(CheckpointState.NONE, ds.checkpointState(), serializer);
                assertEquals(10, ds.count(), serializer + ": the lineage still computes the records");
                assertEquals(List.of(), dev.cairn.checkpoint.CheckpointScanner.scan(RawStorage.registry(), URI.create("memory://smoke/ckpt"),
                        dev.cairn.config.CairnOptions.of(java.util.Map.of())).committed(), serializer + ": nothing committed");
            }
        }
    }

    @Test
    void localCheckpointKeepsBlocksAndCutsLineage() {
        AtomicLong calls = new AtomicLong();
        try (CairnContext ctx = CairnContext.builder().parallelism(2).build()) {
            Dataset<Long> ds = ctx.range(0, 100, 3).map(x -> {
                calls.incrementAndGet();
                return x;
            }).localCheckpoint();
            assertEquals(List.of(0L, 1L), ds.take(2));
            assertTrue(ds.isCheckpointed());
            assertEquals(100, ds.count());
            assertEquals(100, calls.get());
            assertEquals(2, ds.lineageDepth(), ds.lineage());
        }
    }
}
