package dev.cairn.exec;

import dev.cairn.Dataset;
import dev.cairn.KeyedDataset;
import dev.cairn.Pair;
import dev.cairn.Partitioner;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The parent's pairs redistributed by key with a partitioner, optionally combined per key:
 * {@code partitionBy}, {@code reduceByKey}, {@code groupByKey}. The shuffle's output is dropped
 * when this dataset is garbage collected.
 *
 * @param <K> key type
 * @param <V> parent value type
 * @param <C> value type (combined)
 */
public final class ShuffledDataset<K, V, C> extends KeyedDataset<K, C> {
    private ShuffleDependency<K, V, C> dependency;
    private final Partitioner partitioner;
    private final String operation;

    /**
     * @param parent      pairs to redistribute
     * @param partitioner where keys go
     * @param aggregator  how values of a key combine, or {@code null} to keep every pair
     * @param operation   the user-facing name, for lineage
     */
    public ShuffledDataset(Dataset<Pair<K, V>> parent, Partitioner partitioner, Aggregator<V, C> aggregator, String operation) {
        super(parent.context());
        this.dependency = engine().newShuffle(this, parent, partitioner, aggregator);
        this.operation = operation;
        this.partitioner = partitioner;
    }

    @Override
    public int numPartitions() {
        return partitioner.numPartitions();
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.of(partitioner);
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        return List.of(dependency);
    }

    @Override
    protected Iterator<Pair<K, C>> compute(int partition, TaskContext task) {
        return task.engine().shuffleStore().read(dependency, partition);
    }

    @Override
    protected void clearDependencies() {
        dependency = null;
    }

    @Override
    protected String operation() {
        return operation;
    }
}
