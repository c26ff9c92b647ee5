package dev.cairn.internal.engine;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory output of shuffle map stages: for each shuffle, for each map partition, one
 * bucket per reduce partition. Buckets live on the heap (no spilling yet); a shuffle's output is
 * dropped when the node reading it is garbage collected or the context closes.
 *
 * <p>Thread-safe: map tasks of one shuffle write their own slots concurrently.
 */
public final class ShuffleStore {
    private final Map<Integer, Output> outputs = new ConcurrentHashMap<>();

    /** One shuffle's output; complete once every map task has stored its buckets. */
    static final class Output {
        final List<Object>[][] buckets;
        volatile boolean complete;

        @SuppressWarnings("unchecked")
        Output(int maps) {
            this.buckets = new List[maps][];
        }
    }

    /** Whether a shuffle's map stage has completed and its output is held. */
    public boolean isComplete(int shuffleId) {
        Output out = outputs.get(shuffleId);
        return out != null && out.complete;
    }

    Output begin(int shuffleId, int maps) {
        Output out = new Output(maps);
        outputs.put(shuffleId, out);
        return out;
    }

    /** Drops a shuffle's output (no-op when absent). */
    public void remove(int shuffleId) {
        outputs.remove(shuffleId);
    }

    /** Drops every shuffle's output. */
    public void clear() {
        outputs.clear();
    }

    /**
     * Splits one map partition's records into buckets by the dependency's partitioning,
     * combining values of a key first when the aggregator asks for it: then the buckets hold
     * key/combiner entries, else the records themselves.
     */
    @SuppressWarnings("unchecked")
    static <K, V, C> List<Object>[] bucketize(ShuffleDependency<K, V, C> dep, Iterator<?> records) {
        int reducers = dep.partitioning().partitions();
        List<Object>[] buckets = new List[reducers];
        Optional<Aggregator<V, C>> agg = dep.aggregator().filter(Aggregator::mapSideCombine);
        if (agg.isPresent()) {
            Aggregator<V, C> a = agg.get();
            Map<K, C>[] combined = new Map[reducers];
            while (records.hasNext()) {
                Object record = records.next();
                K key = dep.keyOf(record);
                int r = dep.partitioning().place().applyAsInt(key);
                Map<K, C> m = combined[r];
                if (m == null) {
                    m = combined[r] = new HashMap<>();
                }
                a.addValue(m, key, dep.valueOf(record));
            }
            for (int r = 0; r < reducers; r++) {
                if (combined[r] == null) {
                    buckets[r] = Collections.emptyList();
                } else {
                    List<Object> b = new ArrayList<>(combined[r].size());
                    combined[r].forEach((k, c) -> b.add(new AbstractMap.SimpleImmutableEntry<>(k, c)));
                    buckets[r] = b;
                }
            }
        } else {
            for (int r = 0; r < reducers; r++) {
                buckets[r] = new ArrayList<>();
            }
            while (records.hasNext()) {
                Object record = records.next();
                buckets[dep.partitioning().place().applyAsInt(dep.keyOf(record))].add(record);
            }
        }
        return buckets;
    }

    /**
     * The records of reduce partition {@code reduce}: every map partition's bucket, merged by key
     * when the dependency has an aggregator.
     */
    @SuppressWarnings("unchecked")
    public <K, V, C, R> Iterator<R> read(ShuffleDependency<K, V, C> dep, int reduce) {
        Output out = outputs.get(dep.shuffleId());
        if (out == null || !out.complete) {
            throw new IllegalStateException("shuffle " + dep.shuffleId() + " has no complete output; the engine must run its map stage first");
        }
        Optional<Aggregator<V, C>> agg = dep.aggregator();
        if (agg.isEmpty()) {
            List<Iterator<R>> parts = new ArrayList<>(out.buckets.length);
            for (List<Object>[] map : out.buckets) {
                parts.add((Iterator<R>) map[reduce].iterator());
            }
            return Iterators.concat(parts.iterator());
        }
        Aggregator<V, C> a = agg.get();
        Map<K, C> merged = new HashMap<>();
        for (List<Object>[] map : out.buckets) {
            for (Object o : map[reduce]) {
                if (a.mapSideCombine()) {
                    Map.Entry<K, C> e = (Map.Entry<K, C>) o;
                    a.addCombiner(merged, e.getKey(), e.getValue());
                } else {
                    a.addValue(merged, dep.keyOf(o), dep.valueOf(o));
                }
            }
        }
        return Iterators.map(merged.entrySet().iterator(), e -> (R) dep.output(e.getKey(), e.getValue()));
    }
}
