package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PersistTest {
    static CairnContext ctx;

    @BeforeAll
    static void start() {
        ctx = CairnContext.builder().appName("persist").parallelism(4).build();
    }

    @AfterAll
    static void stop() {
        ctx.close();
    }

    @ParameterizedTest
    @EnumSource(StorageLevel.class)
    void persistedDatasetIsComputedOnce(StorageLevel level) {
        AtomicLong calls = new AtomicLong();
        Dataset<Long> ds = ctx.range(0, 10_000, 5).map(x -> {
            calls.incrementAndGet();
            return x * 2;
        }).persist(level);
        assertEquals(10_000, ds.count());
        assertEquals(10_000, calls.get());
        assertEquals(99_990_000L, ds.reduce(Long::sum));
        assertEquals(10_000, ds.map(x -> x + 1).count());
        assertEquals(10_000, calls.get(), "a persisted dataset must not be recomputed");
        assertEquals(level, ds.storageLevel().orElseThrow());
        assertTrue(ds.lineage().contains("[" + level + "]"), ds.lineage());
    }

    @Test
    void unpersistDropsBlocksSoTheNextActionRecomputes() {
        AtomicLong calls = new AtomicLong();
        Dataset<Long> ds = ctx.range(0, 100, 2).map(x -> {
            calls.incrementAndGet();
            return x;
        }).cache();
        ds.count();
        ds.count();
        assertEquals(100, calls.get());
        ds.unpersist();
        assertTrue(ds.storageLevel().isEmpty());
        ds.count();
        assertEquals(200, calls.get());
    }

    @Test
    void cachedDatasetBelowAShuffleSkipsRecomputation() {
        AtomicLong calls = new AtomicLong();
        KeyedDataset<Long, Long> pairs = ctx.range(0, 1000, 4).map(x -> {
            calls.incrementAndGet();
            return x;
        }).keyBy(x -> x % 10).cache();
        assertEquals(10, pairs.reduceByKey(Long::sum).count());
        assertEquals(10, pairs.groupByKey().count());
        assertEquals(1000, calls.get());
    }

    @Test
    void persistingAtAnotherLevelNeedsUnpersistFirst() {
        Dataset<Long> ds = ctx.range(0, 10, 2).persist(StorageLevel.DISK);
        CairnException e = assertThrows(CairnException.class, () -> ds.persist(StorageLevel.MEMORY));
        assertTrue(e.getMessage().contains("DISK") && e.getMessage().contains("unpersist"), e.getMessage());
        ds.unpersist().persist(StorageLevel.MEMORY);
        assertEquals(StorageLevel.MEMORY, ds.storageLevel().orElseThrow());
    }

    @Test
    void diskBlocksStreamRecordsInOrder() {
        Dataset<String> ds = ctx.range(0, 50_000, 3).map(x -> "record-" + x).persist(StorageLevel.DISK);
        assertEquals(50_000, ds.count());
        assertEquals(java.util.List.of("record-0", "record-1"), ds.take(2));
        assertEquals("record-49999", ds.collect().get(49_999));
    }
}
