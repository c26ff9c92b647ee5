package dev.cairn.exec;

import dev.cairn.Dataset;
import dev.cairn.KeyedDataset;
import dev.cairn.Pair;
import dev.cairn.Partitioner;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A keyed dataset computed partition by partition from one parent by a function of the partition
 * index and the parent partition's records: {@code map}, {@code filter}, {@code flatMap}, … .
 *
 * @param <T> parent record type
 * @param <K> key type
 * @param <V> value type
 */
public final class KeyedMapPartitionsDataset<T, K, V> extends KeyedDataset<K, V> {
    private Dataset<T> parent;
    private BiFunction<Integer, Iterator<T>, Iterator<Pair<K, V>>> function;
    private final int partitions;
    private final Optional<Partitioner> partitioner;
    private final String operation;

    /**
     * @param parent                the records transformed
     * @param function              from partition index and parent records to records
     * @param preservesPartitioning whether keys stay where the parent's partitioner put them
     * @param operation             the user-facing name of the transformation, for lineage
     */
    public KeyedMapPartitionsDataset(Dataset<T> parent, BiFunction<Integer, Iterator<T>, Iterator<Pair<K, V>>> function,
                                     boolean preservesPartitioning, String operation) {
        super(parent.context());
        this.parent = parent;
        this.function = function;
        this.partitions = parent.numPartitions();
        this.partitioner = preservesPartitioning ? parent.partitioner() : Optional.empty();
        this.operation = operation;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return partitioner;
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        return List.of(new NarrowDependency(parent));
    }

    @Override
    protected Iterator<Pair<K, V>> compute(int partition, TaskContext task) {
        return function.apply(partition, parent.iterator(partition, task));
    }

    @Override
    protected void clearDependencies() {
        parent = null;
        function = null;
    }

    @Override
    protected String operation() {
        return operation;
    }
}
