package dev.cairn.internal.engine;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The parent's keyed records redistributed by key, optionally combined per key:
 * {@code partitionBy}, {@code reduceByKey}, {@code groupByKey}. The shuffle's output is dropped
 * when this node is garbage collected.
 *
 * @param <K> key type
 * @param <V> parent value type
 * @param <C> value type (combined)
 * @param <R> record type
 */
public final class ShuffledNode<K, V, C, R> extends Node<R> {
    private ShuffleDependency<K, V, C> dependency;
    private final Partitioning partitioning;
    private final String operation;

    /**
     * @param parent       keyed records to redistribute
     * @param partitioning where keys go
     * @param aggregator   how values of a key combine, or {@code null} to keep every record
     * @param records      how records are taken apart and built
     * @param operation    the user-facing name, for lineage
     */
    public ShuffledNode(Node<?> parent, Partitioning partitioning, Aggregator<V, C> aggregator, Records<K, V, C> records,
                        String operation) {
        super(parent.context());
        this.dependency = context().engine().newShuffle(this, parent, partitioning, aggregator, records);
        this.operation = operation;
        this.partitioning = partitioning;
    }

    @Override
    public int numPartitions() {
        return partitioning.partitions();
    }

    @Override
    public Optional<Partitioning> partitioning() {
        return Optional.of(partitioning);
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        return List.of(dependency);
    }

    @Override
    protected Iterator<R> compute(int partition, TaskContext task) {
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

    @Override
    public String kind() {
        return "ShuffledDataset";
    }
}
