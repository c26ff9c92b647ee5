package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TransformationsTest {
    static CairnContext ctx;

    @BeforeAll
    static void start() {
        ctx = CairnContext.builder().appName("transformations").parallelism(4).build();
    }

    @AfterAll
    static void stop() {
        ctx.close();
    }

    static List<Long> longs(long from, long to) {
        return LongStream.range(from, to).boxed().collect(Collectors.toList());
    }

    static List<Integer> partitionSizes(Dataset<?> ds) {
        return ds.mapPartitions(it -> {
            int n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return List.of(n).iterator();
        }).collect();
    }

    @Test
    void rangeSplitsIntoContiguousPartitionsOfNearlyEqualSize() {
        Dataset<Long> ds = ctx.range(0, 103, 10);
        assertEquals(10, ds.numPartitions());
        assertEquals(longs(0, 103), ds.collect());
        List<Integer> sizes = partitionSizes(ds);
        assertEquals(List.of(11, 11, 11, 10, 10, 10, 10, 10, 10, 10), sizes);
    }

    @Test
    void emptyRangeAndMorePartitionsThanRecords() {
        assertEquals(List.of(), ctx.range(5, 5, 3).collect());
        assertEquals(longs(0, 3), ctx.range(0, 3, 8).collect());
    }

    @Test
    void rangeNearLongLimitsDoesNotOverflow() {
        Dataset<Long> ds = ctx.range(Long.MAX_VALUE - 5, Long.MAX_VALUE, 2);
        assertEquals(longs(Long.MAX_VALUE - 5, Long.MAX_VALUE), ds.collect());
    }

    @Test
    void mapMatchesJava() {
        assertEquals(longs(0, 1000).stream().map(x -> x * 3 + 1).collect(Collectors.toList()),
                ctx.range(0, 1000, 7).map(x -> x * 3 + 1).collect());
    }

    @Test
    void filterMatchesJava() {
        assertEquals(longs(0, 1000).stream().filter(x -> x % 7 == 3).collect(Collectors.toList()),
                ctx.range(0, 1000, 7).filter(x -> x % 7 == 3).collect());
    }

    @Test
    void flatMapMatchesJava() {
        List<String> lines = List.of("a b c", "", "d e", "f");
        List<String> expected = lines.stream().flatMap(l -> l.isEmpty() ? java.util.stream.Stream.empty()
                : java.util.Arrays.stream(l.split(" "))).collect(Collectors.toList());
        assertEquals(expected, ctx.parallelize(lines, 3)
                .flatMap(l -> l.isEmpty() ? List.<String>of() : List.of(l.split(" "))).collect());
    }

    @Test
    void mapPartitionsSeesWholePartitions() {
        List<Long> sums = ctx.range(0, 100, 4).mapPartitions(it -> {
            long s = 0;
            while (it.hasNext()) {
                s += it.next();
            }
            return List.of(s).iterator();
        }).collect();
        assertEquals(List.of(300L, 925L, 1550L, 2175L), sums);
    }

    @Test
    void mapPartitionsWithIndexKnowsTheIndex() {
        List<String> tagged = ctx.parallelize(List.of("a", "b", "c", "d"), 2)
                .mapPartitionsWithIndex((i, it) -> {
                    List<String> out = new ArrayList<>();
                    it.forEachRemaining(s -> out.add(i + s));
                    return out.iterator();
                }).collect();
        assertEquals(List.of("0a", "0b", "1c", "1d"), tagged);
    }

    @Test
    void unionConcatenatesPartitions() {
        Dataset<Long> a = ctx.range(0, 10, 2);
        Dataset<Long> b = ctx.range(100, 105, 3);
        Dataset<Long> u = a.union(b);
        assertEquals(5, u.numPartitions());
        List<Long> expected = new ArrayList<>(longs(0, 10));
        expected.addAll(longs(100, 105));
        assertEquals(expected, u.collect());
        assertEquals(List.of(a, b), u.parents());
    }

    @Test
    void keyByPairsKeyAndRecord() {
        List<Pair<Long, Long>> pairs = ctx.range(0, 5, 2).keyBy(x -> x % 2).collect();
        assertEquals(List.of(Pair.of(0L, 0L), Pair.of(1L, 1L), Pair.of(0L, 2L), Pair.of(1L, 3L), Pair.of(0L, 4L)), pairs);
    }

    @Test
    void repartitionKeepsEveryRecordAndSpreadsThem() {
        Dataset<Long> ds = ctx.range(0, 10_000, 2).repartition(5);
        assertEquals(5, ds.numPartitions());
        List<Long> all = new ArrayList<>(ds.collect());
        all.sort(null);
        assertEquals(longs(0, 10_000), all);
        List<Integer> sizes = partitionSizes(ds);
        for (int size : sizes) {
            assertTrue(size >= 1900 && size <= 2100, "partition sizes should be even, got " + sizes);
        }
    }

    @Test
    void coalesceMergesNeighboursWithoutReordering() {
        Dataset<Long> ds = ctx.range(0, 100, 10).coalesce(3);
        assertEquals(3, ds.numPartitions());
        assertEquals(longs(0, 100), ds.collect());
        assertTrue(ds.lineage().contains("CoalescedDataset"));
        Dataset<Long> same = ctx.range(0, 10, 2);
        assertSame(same, same.coalesce(5), "coalesce never grows the partition count");
    }

    @Test
    void iteratorsAreLazyAndStreamed() {
        // take(1) on one huge partition must not compute the rest of it.
        long[] computed = {0};
        Dataset<Long> ds = ctx.range(0, Long.MAX_VALUE / 2, 1).map(x -> {
            synchronized (computed) {
                computed[0]++;
            }
            return x;
        });
        assertEquals(List.of(0L, 1L, 2L), ds.take(3));
        assertTrue(computed[0] <= 3, "computed " + computed[0]);
    }

    @Test
    void chainedTransformationsMatchJava() {
        List<Integer> input = IntStream.range(0, 5000).boxed().collect(Collectors.toList());
        List<String> expected = input.stream().filter(i -> i % 3 != 0).map(i -> i * 2).flatMap(i -> java.util.stream.Stream.of(i, -i))
                .map(String::valueOf).collect(Collectors.toList());
        Dataset<String> ds = ctx.parallelize(input, 6).filter(i -> i % 3 != 0).map(i -> i * 2)
                .flatMap(i -> List.of(i, -i)).map(String::valueOf);
        assertEquals(expected, ds.collect());
        Iterator<String> none = ds.take(0).iterator();
        assertTrue(!none.hasNext());
    }
}
