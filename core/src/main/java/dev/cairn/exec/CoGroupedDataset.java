package dev.cairn.exec;

import dev.cairn.Dataset;
import dev.cairn.KeyedDataset;
import dev.cairn.Pair;
import dev.cairn.Partitioner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * For each key of two keyed datasets, the list of its values on each side. A side already
 * partitioned by the target partitioner is read partition by partition (narrow); any other
 * side is shuffled first. The basis of {@code join}.
 *
 * @param <K> key type
 * @param <V> left value type
 * @param <W> right value type
 */
public final class CoGroupedDataset<K, V, W> extends KeyedDataset<K, Pair<List<V>, List<W>>> {
    private final Partitioner partitioner;
    private Dependency left;
    private Dependency right;

    /** Groups {@code left} and {@code right} by key into {@code partitioner}'s partitions. */
    public CoGroupedDataset(Dataset<Pair<K, V>> left, Dataset<Pair<K, W>> right, Partitioner partitioner) {
        super(left.context());
        this.partitioner = partitioner;
        this.left = dependencyOn(left);
        this.right = dependencyOn(right);
    }

    private <X> Dependency dependencyOn(Dataset<Pair<K, X>> side) {
        if (side.partitioner().equals(Optional.of(partitioner))) {
            return new NarrowDependency(side);
        }
        return engine().<K, X, X>newShuffle(this, side, partitioner, null);
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
        return List.of(left, right);
    }

    @SuppressWarnings("unchecked")
    private static <K, X> Iterator<Pair<K, X>> side(Dependency dep, int partition, TaskContext task) {
        if (dep instanceof ShuffleDependency<?, ?, ?> shuffle) {
            return task.engine().shuffleStore().read((ShuffleDependency<K, X, X>) shuffle, partition);
        }
        return ((Dataset<Pair<K, X>>) dep.parent()).iterator(partition, task);
    }

    @Override
    protected Iterator<Pair<K, Pair<List<V>, List<W>>>> compute(int partition, TaskContext task) {
        Map<K, Pair<List<V>, List<W>>> groups = new HashMap<>();
        Iterator<Pair<K, V>> l = side(left, partition, task);
        while (l.hasNext()) {
            Pair<K, V> p = l.next();
            groups.computeIfAbsent(p.key(), k -> new Pair<>(new ArrayList<>(), new ArrayList<>())).key().add(p.value());
        }
        Iterator<Pair<K, W>> r = side(right, partition, task);
        while (r.hasNext()) {
            Pair<K, W> p = r.next();
            groups.computeIfAbsent(p.key(), k -> new Pair<>(new ArrayList<>(), new ArrayList<>())).value().add(p.value());
        }
        return Iterators.map(groups.entrySet().iterator(), e -> new Pair<>(e.getKey(), e.getValue()));
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
}
