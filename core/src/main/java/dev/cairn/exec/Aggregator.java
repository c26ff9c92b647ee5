package dev.cairn.exec;

import dev.cairn.Pair;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * How values of one key are folded into a combined value during a shuffle.
 *
 * @param createCombiner  the combined value for a key's first value
 * @param mergeValue      folds one more value into a combined value
 * @param mergeCombiners  folds two combined values (from two map partitions) together
 * @param mapSideCombine  whether to combine inside each map task before the shuffle (saves
 *                        memory and work when many values share a key; useless for grouping)
 * @param <V> value type
 * @param <C> combined type
 */
public record Aggregator<V, C>(Function<V, C> createCombiner, BiFunction<C, V, C> mergeValue,
                               BinaryOperator<C> mergeCombiners, boolean mapSideCombine) {

    // Explicit lookups rather than Map.merge: values and combiners may legitimately be null.

    /** Folds one value into {@code combined}. */
    public <K> void addValue(Map<K, C> combined, K key, V value) {
        if (combined.containsKey(key)) {
            combined.put(key, mergeValue.apply(combined.get(key), value));
        } else {
            combined.put(key, createCombiner.apply(value));
        }
    }

    /** Folds one combined value into {@code combined}. */
    public <K> void addCombiner(Map<K, C> combined, K key, C value) {
        if (combined.containsKey(key)) {
            combined.put(key, mergeCombiners.apply(combined.get(key), value));
        } else {
            combined.put(key, value);
        }
    }

    /** Combines the values of each key among {@code records}, all of which are read first. */
    public <K> Iterator<Pair<K, C>> combineValues(Iterator<Pair<K, V>> records) {
        Map<K, C> combined = new HashMap<>();
        while (records.hasNext()) {
            Pair<K, V> p = records.next();
            addValue(combined, p.key(), p.value());
        }
        return Iterators.map(combined.entrySet().iterator(), e -> new Pair<>(e.getKey(), e.getValue()));
    }
}
