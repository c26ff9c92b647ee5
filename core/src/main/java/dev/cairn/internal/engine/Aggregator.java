package dev.cairn.internal.engine;

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

    /**
     * Combines the values of each key among {@code records}, all of which are read first, into
     * records made by {@code output}.
     */
    public <T, K, R> Iterator<R> combineValues(Iterator<T> records, Function<? super T, K> keyOf, Function<? super T, V> valueOf,
                                               BiFunction<K, C, R> output) {
        Map<K, C> combined = new HashMap<>();
        while (records.hasNext()) {
            T r = records.next();
            addValue(combined, keyOf.apply(r), valueOf.apply(r));
        }
        return Iterators.map(combined.entrySet().iterator(), e -> output.apply(e.getKey(), e.getValue()));
    }
}
