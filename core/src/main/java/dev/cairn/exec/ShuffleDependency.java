package dev.cairn.exec;

import dev.cairn.Dataset;
import dev.cairn.Pair;
import dev.cairn.Partitioner;
import java.util.Optional;

/**
 * The parent's records are redistributed by key with a partitioner before any child partition
 * can be computed. The engine runs the parent's "map stage" once and keeps its output until the
 * child dataset is garbage collected or the context closes.
 *
 * @param <K> key type
 * @param <V> value type
 * @param <C> combined value type (equal to V without an aggregator)
 */
public final class ShuffleDependency<K, V, C> extends Dependency {
    private final Partitioner partitioner;
    private final Aggregator<V, C> aggregator;
    private final int shuffleId;

    /**
     * @param parent      the records to redistribute
     * @param partitioner where each key goes
     * @param aggregator  how to combine values of one key, or {@code null} to keep every record
     * @param shuffleId   the engine's id of this shuffle ({@link Engine#newShuffleId()})
     */
    public ShuffleDependency(Dataset<Pair<K, V>> parent, Partitioner partitioner, Aggregator<V, C> aggregator, int shuffleId) {
        super(parent);
        this.partitioner = partitioner;
        this.aggregator = aggregator;
        this.shuffleId = shuffleId;
    }

    /** Where each key goes. */
    public Partitioner partitioner() {
        return partitioner;
    }

    /** How values are combined, if they are. */
    public Optional<Aggregator<V, C>> aggregator() {
        return Optional.ofNullable(aggregator);
    }

    /** The engine's id of this shuffle. */
    public int shuffleId() {
        return shuffleId;
    }

    @SuppressWarnings("unchecked")
    Dataset<Pair<K, V>> pairs() {
        return (Dataset<Pair<K, V>>) parent();
    }
}
