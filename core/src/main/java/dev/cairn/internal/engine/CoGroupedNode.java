package dev.cairn.internal.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * For each key of two keyed nodes, the list of its values on each side. A side already
 * partitioned by the target partitioning is read partition by partition (narrow); any other
 * side is shuffled first. The basis of {@code join}.
 *
 * @param <K> key type
 * @param <V> left value type
 * @param <W> right value type
 * @param <R> record type
 */
public final class CoGroupedNode<K, V, W, R> extends Node<R> {
    private final Partitioning partitioning;
    private final Records<K, Object, Object> records;
    private final Group<K, V, W, R> group;
    private Dependency left;
    private Dependency right;

    /** Builds one output record from a key and the values of both sides. */
    @FunctionalInterface
    public interface Group<K, V, W, R> {
        /** The record of {@code key}. */
        R of(K key, List<V> left, List<W> right);
    }

    /**
     * @param left         left side
     * @param right        right side
     * @param partitioning target partitioning
     * @param records      how a side's records are taken apart
     * @param group        how an output record is built
     */
    public CoGroupedNode(Node<?> left, Node<?> right, Partitioning partitioning, Records<K, Object, Object> records,
                         Group<K, V, W, R> group) {
        super(left.context());
        this.partitioning = partitioning;
        this.records = records;
        this.group = group;
        this.left = dependencyOn(left);
        this.right = dependencyOn(right);
    }

    private Dependency dependencyOn(Node<?> side) {
        if (side.partitioning().equals(Optional.of(partitioning))) {
            return new NarrowDependency(side);
        }
        return context().engine().<K, Object, Object>newShuffle(this, side, partitioning, null, records);
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
        return List.of(left, right);
    }

    @SuppressWarnings("unchecked")
    private static Iterator<Object> side(Dependency dep, int partition, TaskContext task) {
        if (dep instanceof ShuffleDependency<?, ?, ?> shuffle) {
            return task.engine().shuffleStore().read((ShuffleDependency<Object, Object, Object>) shuffle, partition);
        }
        return (Iterator<Object>) dep.parent().iterator(partition, task);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected Iterator<R> compute(int partition, TaskContext task) {
        Map<K, List<Object>[]> groups = new HashMap<>();
        for (int s = 0; s < 2; s++) {
            Iterator<Object> it = side(s == 0 ? left : right, partition, task);
            while (it.hasNext()) {
                Object record = it.next();
                List<Object>[] lists = groups.computeIfAbsent(records.keyOf().apply(record),
                        k -> new List[] {new ArrayList<>(), new ArrayList<>()});
                lists[s].add(records.valueOf().apply(record));
            }
        }
        return Iterators.map(groups.entrySet().iterator(),
                e -> group.of(e.getKey(), (List<V>) (List<?>) e.getValue()[0], (List<W>) (List<?>) e.getValue()[1]));
    }

    @Override
    protected void clearDependencies() {
        left = null;
        right = null;
    }

    @Override
    protected String operation() {
        return "cogroup";
    }

    @Override
    public String kind() {
        return "CoGroupedDataset";
    }
}
