package dev.cairn;

import dev.cairn.internal.engine.Aggregator;
import dev.cairn.internal.engine.CoGroupedNode;
import dev.cairn.internal.engine.Iterators;
import dev.cairn.internal.engine.MapPartitionsNode;
import dev.cairn.internal.engine.Node;
import dev.cairn.internal.engine.Records;
import dev.cairn.internal.engine.ShuffledNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BinaryOperator;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A dataset of {@link Pair}s, with operations by key. Operations that group by key shuffle the
 * records with a {@link Partitioner}, unless the dataset is already partitioned that way: then
 * they run within each partition, with no shuffle (so partition a dataset you join repeatedly
 * once, {@link #persist} it, and joins against it stay narrow).
 *
 * @param <K> key type
 * @param <V> value type
 */
public class KeyedDataset<K, V> extends Dataset<Pair<K, V>> {
    /** The lineage name of keyed map-like nodes. */
    static final String KIND = "KeyedMapPartitionsDataset";

    KeyedDataset(CairnContext context, Node<Pair<K, V>> node) {
        super(context, node);
    }

    /** The keyed facade of a node whose records are pairs. */
    static <K, V> KeyedDataset<K, V> keyed(CairnContext context, Node<Pair<K, V>> node) {
        return new KeyedDataset<>(context, node);
    }

    /** How the engine takes pairs apart and builds them. */
    @SuppressWarnings("unchecked")
    static <K, V, C> Records<K, V, C> pairs() {
        return new Records<>(r -> ((Pair<K, V>) r).key(), r -> ((Pair<K, V>) r).value(), Pair::new);
    }

    private <W> KeyedDataset<K, W> keyedChild(Node<Pair<K, W>> child) {
        return keyed(context(), child);
    }

    /** Applies {@code f} to each value; keeps keys and the partitioner. */
    public <W> KeyedDataset<K, W> mapValues(Function<? super V, ? extends W> f) {
        Checks.notNull(f, "mapValues", "function", this);
        return keyedChild(new MapPartitionsNode<Pair<K, V>, Pair<K, W>>(node,
                (p, it) -> Iterators.map(it, kv -> new Pair<K, W>(kv.key(), f.apply(kv.value()))), true, "mapValues", KIND));
    }

    /** Keeps the pairs {@code p} accepts; keeps the partitioner. */
    @Override
    public KeyedDataset<K, V> filter(Predicate<? super Pair<K, V>> p) {
        Checks.notNull(p, "filter", "predicate", this);
        return keyedChild(new MapPartitionsNode<Pair<K, V>, Pair<K, V>>(node, (i, it) -> Iterators.filter(it, p), true, "filter", KIND));
    }

    /** Merges the values of each key with {@code f} (associative), into this dataset's partitioning or a hash one. */
    public KeyedDataset<K, V> reduceByKey(BinaryOperator<V> f) {
        return reduceByKey(defaultPartitioner(), f);
    }

    /** Merges the values of each key with {@code f} (associative), into {@code numPartitions} hash partitions. */
    public KeyedDataset<K, V> reduceByKey(BinaryOperator<V> f, int numPartitions) {
        Checks.positive(numPartitions, "reduceByKey", "numPartitions", this);
        return reduceByKey(new HashPartitioner(numPartitions), f);
    }

    /** Merges the values of each key with {@code f} (associative), placing keys with {@code partitioner}. */
    public KeyedDataset<K, V> reduceByKey(Partitioner partitioner, BinaryOperator<V> f) {
        Checks.notNull(f, "reduceByKey", "function", this);
        Checks.notNull(partitioner, "reduceByKey", "partitioner", this);
        return combineByKey(new Aggregator<V, V>(v -> v, f, f, true), partitioner, "reduceByKey");
    }

    /** Collects the values of each key into a list, into this dataset's partitioning or a hash one. */
    public KeyedDataset<K, List<V>> groupByKey() {
        return groupByKey(defaultPartitioner());
    }

    /** Collects the values of each key into a list, into {@code numPartitions} hash partitions. */
    public KeyedDataset<K, List<V>> groupByKey(int numPartitions) {
        Checks.positive(numPartitions, "groupByKey", "numPartitions", this);
        return groupByKey(new HashPartitioner(numPartitions));
    }

    /** Collects the values of each key into a list, placing keys with {@code partitioner}. */
    public KeyedDataset<K, List<V>> groupByKey(Partitioner partitioner) {
        Checks.notNull(partitioner, "groupByKey", "partitioner", this);
        Aggregator<V, List<V>> collect = new Aggregator<>(v -> {
            List<V> l = new ArrayList<>();
            l.add(v);
            return l;
        }, (l, v) -> {
            l.add(v);
            return l;
        }, (a, b) -> {
            a.addAll(b);
            return a;
        }, false); // combining map-side saves nothing when every value is kept
        return combineByKey(collect, partitioner, "groupByKey");
    }

    private <C> KeyedDataset<K, C> combineByKey(Aggregator<V, C> aggregator, Partitioner partitioner, String operation) {
        if (partitioner().equals(Optional.of(partitioner))) {
            // Every key is already in its final partition: combine within each one, no shuffle.
            return keyedChild(new MapPartitionsNode<Pair<K, V>, Pair<K, C>>(node,
                    (p, it) -> aggregator.combineValues(it, Pair::key, Pair::value, Pair::new), true, operation, KIND));
        }
        return keyedChild(new ShuffledNode<K, V, C, Pair<K, C>>(node, partitioning(partitioner), aggregator, pairs(), operation));
    }

    /**
     * Inner join: a pair {@code (k, (v, w))} for every {@code (k, v)} here and {@code (k, w)} in
     * {@code other}; keys present on one side only are dropped.
     */
    public <W> KeyedDataset<K, Pair<V, W>> join(KeyedDataset<K, W> other) {
        Checks.notNull(other, "join", "other dataset", this);
        return join(other, joinPartitioner(other));
    }

    /** Inner join into {@code numPartitions} hash partitions. */
    public <W> KeyedDataset<K, Pair<V, W>> join(KeyedDataset<K, W> other, int numPartitions) {
        Checks.positive(numPartitions, "join", "numPartitions", this);
        return join(other, new HashPartitioner(numPartitions));
    }

    /** Inner join, placing keys with {@code partitioner}; sides already partitioned that way are not shuffled. */
    public <W> KeyedDataset<K, Pair<V, W>> join(KeyedDataset<K, W> other, Partitioner partitioner) {
        Checks.notNull(other, "join", "other dataset", this);
        Checks.notNull(partitioner, "join", "partitioner", this);
        Checks.sameContext(this, other, "join");
        KeyedDataset<K, Pair<List<V>, List<W>>> grouped = keyed(context(), new CoGroupedNode<K, V, W, Pair<K, Pair<List<V>, List<W>>>>(
                node, other.node, partitioning(partitioner), pairs(), (k, l, r) -> new Pair<>(k, new Pair<>(l, r))));
        return keyed(context(), new MapPartitionsNode<Pair<K, Pair<List<V>, List<W>>>, Pair<K, Pair<V, W>>>(grouped.node,
                (p, it) -> Iterators.flatMap(it, g -> {
                    List<V> left = g.value().key();
                    List<W> right = g.value().value();
                    List<Pair<K, Pair<V, W>>> out = new ArrayList<>(left.size() * right.size());
                    for (V v : left) {
                        for (W w : right) {
                            out.add(new Pair<>(g.key(), new Pair<>(v, w)));
                        }
                    }
                    return out;
                }), true, "join", KIND));
    }

    /** The records placed by {@code partitioner}; this dataset itself when it is already partitioned so. */
    public KeyedDataset<K, V> partitionBy(Partitioner partitioner) {
        Checks.notNull(partitioner, "partitionBy", "partitioner", this);
        if (partitioner().equals(Optional.of(partitioner))) {
            return this;
        }
        return keyedChild(new ShuffledNode<K, V, V, Pair<K, V>>(node, partitioning(partitioner), null, pairs(), "partitionBy"));
    }

    /** The keys. */
    public Dataset<K> keys() {
        return plain(new MapPartitionsNode<Pair<K, V>, K>(node, (p, it) -> Iterators.map(it, Pair::key), false, "keys", PLAIN));
    }

    /** The values. */
    public Dataset<V> values() {
        return plain(new MapPartitionsNode<Pair<K, V>, V>(node, (p, it) -> Iterators.map(it, Pair::value), false, "values", PLAIN));
    }

    /** This dataset's partitioner, or a hash partitioner over its partition count. */
    private Partitioner defaultPartitioner() {
        return partitioner().orElseGet(() -> new HashPartitioner(Math.max(1, numPartitions())));
    }

    /** The partitioner of the side that has one (the larger when both do), or a hash one over the larger count. */
    private Partitioner joinPartitioner(KeyedDataset<?, ?> other) {
        Optional<Partitioner> mine = partitioner();
        Optional<Partitioner> theirs = other.partitioner();
        if (mine.isPresent() && theirs.isPresent()) {
            return mine.get().numPartitions() >= theirs.get().numPartitions() ? mine.get() : theirs.get();
        }
        return mine.or(() -> theirs)
                .orElseGet(() -> new HashPartitioner(Math.max(1, Math.max(numPartitions(), other.numPartitions()))));
    }

    @Override
    public KeyedDataset<K, V> setName(String name) {
        super.setName(name);
        return this;
    }

    @Override
    public KeyedDataset<K, V> persist(StorageLevel level) {
        super.persist(level);
        return this;
    }

    @Override
    public KeyedDataset<K, V> cache() {
        super.cache();
        return this;
    }

    @Override
    public KeyedDataset<K, V> checkpoint() {
        super.checkpoint();
        return this;
    }

    @Override
    public KeyedDataset<K, V> checkpoint(CheckpointMode mode) {
        super.checkpoint(mode);
        return this;
    }

    @Override
    public KeyedDataset<K, V> checkpoint(CheckpointMode mode, java.util.Map<String, String> metadata) {
        super.checkpoint(mode, metadata);
        return this;
    }

    @Override
    public KeyedDataset<K, V> checkpoint(CheckpointMode mode, java.util.Map<String, String> metadata, java.net.URI checkpointDir) {
        super.checkpoint(mode, metadata, checkpointDir);
        return this;
    }

    @Override
    public KeyedDataset<K, V> localCheckpoint() {
        super.localCheckpoint();
        return this;
    }

    @Override
    public KeyedDataset<K, V> localCheckpoint(CheckpointMode mode) {
        super.localCheckpoint(mode);
        return this;
    }

    @Override
    public KeyedDataset<K, V> unpersist() {
        super.unpersist();
        return this;
    }
}
