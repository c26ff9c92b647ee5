package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KeyedDatasetTest {
    static CairnContext ctx;

    @BeforeAll
    static void start() {
        ctx = CairnContext.builder().appName("keyed").parallelism(4).build();
    }

    @AfterAll
    static void stop() {
        ctx.close();
    }

    static <K extends Comparable<K>, V> Map<K, V> asMap(List<Pair<K, V>> pairs) {
        Map<K, V> m = new TreeMap<>();
        for (Pair<K, V> p : pairs) {
            V old = m.put(p.key(), p.value());
            if (old != null) {
                throw new AssertionError("key " + p.key() + " appears twice");
            }
        }
        return m;
    }

    static List<String> words() {
        List<String> words = new ArrayList<>();
        String[] vocabulary = {"ash", "birch", "cedar", "elm", "fir", "oak", "pine", "yew"};
        for (int i = 0; i < 5000; i++) {
            words.add(vocabulary[(i * 7 + i / 13) % vocabulary.length]);
        }
        return words;
    }

    @Test
    void reduceByKeyAcrossPartitionsMatchesJava() {
        List<String> words = words();
        Map<String, Long> expected = words.stream().collect(Collectors.groupingBy(w -> w, TreeMap::new, Collectors.counting()));
        KeyedDataset<String, Long> counts = ctx.parallelize(words, 8).keyBy(w -> w).mapValues(w -> 1L).reduceByKey(Long::sum, 3);
        assertEquals(3, counts.numPartitions());
        assertEquals(expected, asMap(counts.collect()));
        assertTrue(counts.partitioner().isPresent());
        // every key sits in the partition its partitioner says
        Partitioner p = counts.partitioner().get();
        List<Boolean> placed = counts.mapPartitionsWithIndex((i, it) -> {
            boolean ok = true;
            while (it.hasNext()) {
                ok &= p.partition(it.next().key()) == i;
            }
            return List.of(ok).iterator();
        }).collect();
        assertEquals(List.of(true, true, true), placed);
    }

    @Test
    void groupByKeyCollectsAllValues() {
        List<Pair<Integer, Integer>> pairs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            pairs.add(Pair.of(i % 10, i));
        }
        Map<Integer, List<Integer>> grouped = new TreeMap<>();
        for (Pair<Integer, List<Integer>> g : ctx.parallelizePairs(pairs, 5).groupByKey().collect()) {
            List<Integer> sorted = new ArrayList<>(g.value());
            sorted.sort(null);
            grouped.put(g.key(), sorted);
        }
        Map<Integer, List<Integer>> expected = pairs.stream().collect(Collectors.groupingBy(Pair::key, TreeMap::new,
                Collectors.mapping(Pair::value, Collectors.toList())));
        assertEquals(expected, grouped);
    }

    @Test
    void joinDropsKeysMissingOnEitherSideAndPairsDuplicates() {
        KeyedDataset<String, Integer> left = ctx.parallelizePairs(List.of(
                Pair.of("a", 1), Pair.of("b", 2), Pair.of("b", 3), Pair.of("onlyLeft", 4)), 2);
        KeyedDataset<String, String> right = ctx.parallelizePairs(List.of(
                Pair.of("a", "x"), Pair.of("b", "y"), Pair.of("b", "z"), Pair.of("onlyRight", "w")), 3);
        List<Pair<String, Pair<Integer, String>>> joined = new ArrayList<>(left.join(right).collect());
        joined.sort(Comparator.comparing((Pair<String, Pair<Integer, String>> p) -> p.key())
                .thenComparing(p -> p.value().key()).thenComparing(p -> p.value().value()));
        assertEquals(List.of(
                Pair.of("a", Pair.of(1, "x")),
                Pair.of("b", Pair.of(2, "y")), Pair.of("b", Pair.of(2, "z")),
                Pair.of("b", Pair.of(3, "y")), Pair.of("b", Pair.of(3, "z"))), joined);
    }

    @Test
    void joinWithNoCommonKeysIsEmpty() {
        KeyedDataset<Integer, Integer> a = ctx.parallelizePairs(List.of(Pair.of(1, 1)), 1);
        KeyedDataset<Integer, Integer> b = ctx.parallelizePairs(List.of(Pair.of(2, 2)), 1);
        assertEquals(0, a.join(b).count());
    }

    @Test
    void joinOfCoPartitionedDatasetsNeedsNoShuffle() {
        HashPartitioner p = new HashPartitioner(4);
        KeyedDataset<Long, Long> a = ctx.range(0, 100, 3).keyBy(x -> x).partitionBy(p).cache();
        KeyedDataset<Long, Long> b = ctx.range(50, 150, 5).keyBy(x -> x).mapValues(x -> x * 10).partitionBy(p).cache();
        KeyedDataset<Long, Pair<Long, Long>> joined = a.join(b);
        assertEquals(p, joined.partitioner().orElseThrow());
        // the cogroup reads both sides partition by partition: no shuffle below the join's cogroup
        Dataset<?> cogroup = joined.parents().get(0);
        assertTrue(cogroup.lineage().startsWith("CoGroupedDataset["), cogroup.lineage());
        assertFalse(cogroup.lineage().contains("\n  (shuffle) "), "co-partitioned join should be narrow: " + cogroup.lineage());
        assertTrue(ctx.range(0, 10, 2).keyBy(x -> x).join(b).parents().get(0).lineage().contains("\n  (shuffle) "),
                "a side that is not partitioned alike is shuffled, and the lineage says so");
        Map<Long, Pair<Long, Long>> m = asMap(joined.collect());
        assertEquals(50, m.size());
        assertEquals(Pair.of(70L, 700L), m.get(70L));
    }

    @Test
    void reduceByKeyOnPartitionedDataNeedsNoShuffle() {
        HashPartitioner p = new HashPartitioner(3);
        KeyedDataset<Long, Long> partitioned = ctx.range(0, 300, 4).keyBy(x -> x % 30).partitionBy(p);
        KeyedDataset<Long, Long> sums = partitioned.reduceByKey(Long::sum);
        assertTrue(sums.lineage().startsWith("KeyedMapPartitionsDataset[") && sums.lineage().split("\\(shuffle\\)").length == 2,
                "one shuffle, the partitionBy's, and none for the reduceByKey: " + sums.lineage());
        Map<Long, Long> expected = new HashMap<>();
        for (long x = 0; x < 300; x++) {
            expected.merge(x % 30, x, Long::sum);
        }
        assertEquals(new TreeMap<>(expected), asMap(sums.collect()));
    }

    @Test
    void partitionByPlacesKeysAndIsANoOpWhenAlreadyPlaced() {
        HashPartitioner p = new HashPartitioner(5);
        KeyedDataset<Long, Long> ds = ctx.range(0, 500, 2).keyBy(x -> x).partitionBy(p);
        assertEquals(5, ds.numPartitions());
        assertSame(ds, ds.partitionBy(new HashPartitioner(5)));
        List<Boolean> placed = ds.mapPartitionsWithIndex((i, it) -> {
            boolean ok = true;
            while (it.hasNext()) {
                ok &= p.partition(it.next().key()) == i;
            }
            return List.of(ok).iterator();
        }).collect();
        assertTrue(placed.stream().allMatch(b -> b), placed.toString());
        assertEquals(500, ds.count());
    }

    @Test
    void rangePartitionerSortsKeysIntoRanges() {
        List<Integer> sample = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sample.add(i);
        }
        RangePartitioner<Integer> p = RangePartitioner.fromSample(sample, 4);
        assertEquals(4, p.numPartitions());
        KeyedDataset<Integer, Integer> ds = ctx.parallelize(sample, 3).keyBy(x -> x).partitionBy(p);
        List<List<Integer>> parts = ds.keys().mapPartitions(it -> {
            List<Integer> l = new ArrayList<>();
            it.forEachRemaining(l::add);
            l.sort(null);
            return List.of(l).iterator();
        }).collect();
        for (int i = 1; i < parts.size(); i++) {
            assertTrue(parts.get(i - 1).get(parts.get(i - 1).size() - 1) < parts.get(i).get(0), parts.toString());
        }
    }

    @Test
    void keysAndValues() {
        KeyedDataset<String, Integer> ds = ctx.parallelizePairs(List.of(Pair.of("a", 1), Pair.of("b", 2)), 2);
        assertEquals(List.of("a", "b"), ds.keys().collect());
        assertEquals(List.of(1, 2), ds.values().collect());
    }

    @Test
    void mapValuesAndFilterKeepThePartitioner() {
        HashPartitioner p = new HashPartitioner(2);
        KeyedDataset<Long, Long> ds = ctx.range(0, 10, 2).keyBy(x -> x).partitionBy(p);
        assertEquals(p, ds.mapValues(v -> v + 1).partitioner().orElseThrow());
        assertEquals(p, ds.filter(kv -> kv.key() > 3).partitioner().orElseThrow());
        assertTrue(ds.map(kv -> kv).partitioner().isEmpty(), "map may change keys, so it drops the partitioner");
    }

    @Test
    void nullKeysAndValuesSurviveShuffles() {
        List<Pair<String, Integer>> pairs = new ArrayList<>();
        pairs.add(Pair.of(null, 1));
        pairs.add(Pair.of(null, 2));
        pairs.add(Pair.of("k", null));
        Map<String, List<Integer>> grouped = new HashMap<>();
        for (Pair<String, List<Integer>> g : ctx.parallelizePairs(pairs, 2).groupByKey(2).collect()) {
            grouped.put(g.key(), g.value());
        }
        assertEquals(2, grouped.get(null).size());
        assertEquals(java.util.Collections.singletonList(null), grouped.get("k"));
    }
}
