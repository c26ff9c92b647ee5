package dev.cairn.internal.engine;

import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The parent's records are redistributed by key before any child partition can be computed.
 * The engine runs the parent's "map stage" once and keeps its output until the child node is
 * garbage collected or the context closes. Records are opaque to the engine: the dependency
 * carries how to take a record's key and value and how to build an output record from a key and
 * its (combined) value.
 *
 * @param <K> key type
 * @param <V> value type
 * @param <C> combined value type (equal to V without an aggregator)
 */
public final class ShuffleDependency<K, V, C> extends Dependency {
    private final Partitioning partitioning;
    private final Aggregator<V, C> aggregator;
    private final Function<Object, K> keyOf;
    private final Function<Object, V> valueOf;
    private final BiFunction<K, C, Object> output;
    private final int shuffleId;

    /**
     * @param parent       the records to redistribute
     * @param partitioning where each key goes
     * @param aggregator   how to combine values of one key, or {@code null} to keep every record
     * @param keyOf        a record's key
     * @param valueOf      a record's value
     * @param output       the output record for a key and its (combined) value
     * @param shuffleId    the engine's id of this shuffle
     */
    ShuffleDependency(Node<?> parent, Partitioning partitioning, Aggregator<V, C> aggregator, Function<Object, K> keyOf,
                      Function<Object, V> valueOf, BiFunction<K, C, Object> output, int shuffleId) {
        super(parent);
        this.partitioning = partitioning;
        this.aggregator = aggregator;
        this.keyOf = keyOf;
        this.valueOf = valueOf;
        this.output = output;
        this.shuffleId = shuffleId;
    }

    /** Where each key goes. */
    public Partitioning partitioning() {
        return partitioning;
    }

    /** How values are combined, if they are. */
    public Optional<Aggregator<V, C>> aggregator() {
        return Optional.ofNullable(aggregator);
    }

    K keyOf(Object record) {
        return keyOf.apply(record);
    }

    V valueOf(Object record) {
        return valueOf.apply(record);
    }

    Object output(K key, C value) {
        return output.apply(key, value);
    }

    /** The engine's id of this shuffle. */
    public int shuffleId() {
        return shuffleId;
    }
}
