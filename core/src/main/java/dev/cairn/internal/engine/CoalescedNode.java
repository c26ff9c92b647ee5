package dev.cairn.internal.engine;

import java.util.Iterator;
import java.util.List;

/**
 * Fewer partitions without a shuffle: partition {@code i} reads the parent's partitions
 * {@code [i*P/n, (i+1)*P/n)} one after another, so neighbouring partitions merge.
 *
 * @param <T> record type
 */
public final class CoalescedNode<T> extends Node<T> {
    private Node<T> parent;
    private final int partitions;

    /** {@code parent} merged into {@code partitions} partitions (at most the parent's count). */
    public CoalescedNode(Node<T> parent, int partitions) {
        super(parent.context());
        this.parent = parent;
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        return List.of(new NarrowDependency(parent));
    }

    @Override
    protected Iterator<T> compute(int partition, TaskContext task) {
        long parents = parent.numPartitions();
        int from = (int) (partition * parents / partitions);
        int to = (int) ((partition + 1) * parents / partitions);
        Iterator<Integer> indexes = java.util.stream.IntStream.range(from, to).iterator();
        Node<T> p = parent;
        return Iterators.concat(Iterators.map(indexes, i -> p.iterator(i, task)));
    }

    @Override
    protected void clearDependencies() {
        parent = null;
    }

    @Override
    protected String operation() {
        return "coalesce";
    }

    @Override
    public String kind() {
        return "CoalescedDataset";
    }
}
