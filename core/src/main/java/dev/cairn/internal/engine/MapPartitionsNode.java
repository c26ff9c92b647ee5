package dev.cairn.internal.engine;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A node computed partition by partition from one parent by a function of the partition index
 * and the parent partition's records: {@code map}, {@code filter}, {@code flatMap},
 * {@code keyBy}, … .
 *
 * @param <T> parent record type
 * @param <R> record type
 */
public final class MapPartitionsNode<T, R> extends Node<R> {
    private Node<T> parent;
    private BiFunction<Integer, Iterator<T>, Iterator<R>> function;
    private final int partitions;
    private final Optional<Partitioning> partitioning;
    private final String operation;
    private final String kind;

    /**
     * @param parent                the records transformed
     * @param function              from partition index and parent records to records
     * @param preservesPartitioning whether keys stay where the parent's partitioner put them
     * @param operation             the user-facing name of the transformation, for lineage
     * @param kind                  the name the lineage shows ({@code MapPartitionsDataset} or {@code KeyedMapPartitionsDataset})
     */
    public MapPartitionsNode(Node<T> parent, BiFunction<Integer, Iterator<T>, Iterator<R>> function, boolean preservesPartitioning,
                             String operation, String kind) {
        super(parent.context());
        this.parent = parent;
        this.function = function;
        this.partitions = parent.numPartitions();
        this.partitioning = preservesPartitioning ? parent.partitioning() : Optional.empty();
        this.operation = operation;
        this.kind = kind;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public Optional<Partitioning> partitioning() {
        return partitioning;
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        return List.of(new NarrowDependency(parent));
    }

    @Override
    protected Iterator<R> compute(int partition, TaskContext task) {
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

    @Override
    public String kind() {
        return kind;
    }
}
