package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ActionsTest {
    static CairnContext ctx;

    @BeforeAll
    static void start() {
        ctx = CairnContext.builder().appName("actions").parallelism(3).build();
    }

    @AfterAll
    static void stop() {
        ctx.close();
    }

    @Test
    void countAndCollect() {
        assertEquals(12_345, ctx.range(0, 12_345, 9).count());
        assertEquals(0, ctx.range(0, 0, 3).count());
        assertEquals(List.of("x", "y", "z"), ctx.parallelize(List.of("x", "y", "z"), 2).collect());
    }

    @Test
    void reduceFoldsWithinAndAcrossPartitions() {
        assertEquals(499_500L, ctx.range(0, 1000, 7).reduce(Long::sum));
        assertEquals(999L, ctx.range(0, 1000, 7).reduce(Math::max));
        // empty partitions among full ones are skipped
        assertEquals(3L, ctx.range(0, 3, 8).reduce(Long::sum));
    }

    @Test
    void reduceOfEmptyDatasetFailsClearly() {
        CairnException e = assertThrows(CairnException.class, () -> ctx.range(0, 0, 2).reduce(Long::sum));
        assertTrue(e.getMessage().contains("RangeDataset[") && e.getMessage().contains("found none"), e.getMessage());
    }

    @Test
    void reduceKeepsNullRecords() {
        List<String> withNull = Arrays.asList(null, null);
        assertNull(ctx.parallelize(withNull, 2).reduce((a, b) -> a == null ? b : a));
    }

    @Test
    void takeReturnsFirstRecordsInPartitionOrderAndComputesFewPartitions() {
        Set<Integer> computed = ConcurrentHashMap.newKeySet();
        Dataset<Long> ds = ctx.range(0, 1000, 10).mapPartitionsWithIndex((i, it) -> {
            computed.add(i);
            return it;
        });
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), ds.take(5));
        assertEquals(Set.of(0), computed, "take(5) needs only the first partition");
        computed.clear();
        List<Long> expected = new ArrayList<>();
        for (long i = 0; i < 250; i++) {
            expected.add(i);
        }
        assertEquals(expected, ds.take(250));
        assertTrue(computed.size() < 10, "take(250) should not compute all 10 partitions, computed " + computed);
        assertEquals(1000, ds.take(5000).size());
    }

    @Test
    void takeSkipsEmptyPartitions() {
        Dataset<Long> ds = ctx.range(0, 100, 10).filter(x -> x >= 95);
        assertEquals(List.of(95L, 96L), ds.take(2));
        assertEquals(Collections.emptyList(), ds.take(0));
    }

    @Test
    void firstAndItsEmptyError() {
        assertEquals(7L, ctx.range(7, 20, 4).first());
        CairnException e = assertThrows(CairnException.class, () -> ctx.range(0, 10, 2).filter(x -> x > 100).first());
        assertTrue(e.getMessage().contains("first record") && e.getMessage().contains("found none"), e.getMessage());
    }

    @Test
    void foreachVisitsEveryRecordOnce() {
        AtomicLong sum = new AtomicLong();
        AtomicLong n = new AtomicLong();
        ctx.range(1, 101, 4).foreach(x -> {
            sum.addAndGet(x);
            n.incrementAndGet();
        });
        assertEquals(5050, sum.get());
        assertEquals(100, n.get());
    }

    @Test
    void foreachPartitionSeesEachPartitionOnce() {
        List<Long> firsts = Collections.synchronizedList(new ArrayList<>());
        ctx.range(0, 40, 4).foreachPartition(it -> firsts.add(it.next()));
        firsts.sort(null);
        assertEquals(List.of(0L, 10L, 20L, 30L), firsts);
    }
}
