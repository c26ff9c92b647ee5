package dev.cairn.internal.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A list from the caller's heap split into contiguous, nearly equal partitions. The list is
 * copied once when the node is made, so later changes to it do not show.
 *
 * @param <T> record type
 */
public final class CollectionNode<T> extends Node<T> {
    private final List<T> records;
    private final int partitions;

    /** {@code records} in {@code partitions} partitions; the caller has validated the arguments. */
    public CollectionNode(EngineContext context, List<T> records, int partitions) {
        super(context);
        this.records = new ArrayList<>(records);
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        return List.of();
    }

    @Override
    protected Iterator<T> compute(int partition, TaskContext task) {
        int n = records.size();
        int from = (int) ((long) partition * n / partitions);
        int to = (int) ((long) (partition + 1) * n / partitions);
        return records.subList(from, to).iterator();
    }

    @Override
    protected String operation() {
        return "parallelize";
    }

    @Override
    public String kind() {
        return "ParallelCollectionDataset";
    }
}
