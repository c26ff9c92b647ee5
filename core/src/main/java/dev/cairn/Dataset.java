package dev.cairn;

import dev.cairn.internal.engine.CheckpointPhase;
import dev.cairn.internal.engine.CheckpointTiming;
import dev.cairn.internal.engine.CoalescedNode;
import dev.cairn.internal.engine.Iterators;
import dev.cairn.internal.engine.MapPartitionsNode;
import dev.cairn.internal.engine.Node;
import dev.cairn.internal.engine.Partitioning;
import dev.cairn.internal.engine.Persistence;
import dev.cairn.internal.engine.TaskContext;
import dev.cairn.internal.engine.UnionNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A partitioned collection of records defined by its lineage: a source, or transformations of
 * parent datasets. Transformations are lazy and return new datasets; actions ({@link #count()},
 * {@link #collect()}, …) run a job on the context's worker pool and compute the partitions.
 *
 * <p>Partitions are computed as streams, one record at a time, unless the dataset is persisted.
 * Functions passed to transformations run on worker threads, concurrently for different
 * partitions; they must not depend on running in the caller's thread.
 *
 * <p>A dataset is a view of one node of the engine's lineage graph; datasets are made by a
 * {@link CairnContext} and by transformations, not by subclassing.
 *
 * @param <T> record type
 */
public abstract class Dataset<T> {
    private final CairnContext context;
    final Node<T> node;

    Dataset(CairnContext context, Node<T> node) {
        this.context = Objects.requireNonNull(context, "context");
        this.node = node;
        node.attach(this);
    }

    /** The facade of {@code node}: the dataset made for it, or a new one (a node the engine made, such as a checkpoint's source). */
    @SuppressWarnings("unchecked")
    static <T> Dataset<T> of(CairnContext context, Node<T> node) {
        Object facade = node.facade();
        if (facade != null) {
            return (Dataset<T>) facade;
        }
        synchronized (node) {
            facade = node.facade();
            return facade != null ? (Dataset<T>) facade : new PlainDataset<>(context, node);
        }
    }

    // ---------------------------------------------------------------- structure

    /** The context this dataset belongs to. */
    public final CairnContext context() {
        return context;
    }

    /** Unique id within the context, shown as {@code [id]} in lineage and in messages. */
    public final int id() {
        return node.id();
    }

    /** The name given with {@link #setName(String)}, if any. */
    public final Optional<String> name() {
        return Optional.ofNullable(node.name());
    }

    /** Names this dataset for lineage output, logs and checkpoint manifests; returns {@code this}. */
    public Dataset<T> setName(String name) {
        node.setName(name);
        return this;
    }

    /** Number of partitions, at least 0 (an empty source may have none). */
    public final int numPartitions() {
        return node.numPartitions();
    }

    /** How keys are placed in partitions, for keyed datasets whose placement is known. */
    public final Optional<Partitioner> partitioner() {
        return node.partitioning().map(p -> (Partitioner) p.partitioner());
    }

    /** The datasets this one is computed from: after a checkpoint, only the checkpoint's source. */
    public final List<Dataset<?>> parents() {
        List<Dataset<?>> parents = new ArrayList<>();
        for (Node<?> p : node.parents()) {
            parents.add(of(context, p));
        }
        return Collections.unmodifiableList(parents);
    }

    /**
     * The lineage as an indented tree, one dataset per line, parents indented below their child
     * by two spaces per level: {@code ClassName[id] (N partitions) operation}, plus the name in
     * quotes, the storage level and the checkpoint state in brackets. A parent read through a
     * shuffle is marked {@code (shuffle)}; a dataset reached twice is listed once more with
     * {@code (shown above)} instead of its parents again.
     */
    public final String lineage() {
        return node.lineage();
    }

    /** Levels in {@link #lineage()}: 1 for a source, 1 + the deepest parent otherwise. */
    public final int lineageDepth() {
        return node.lineageDepth();
    }

    /** A partitioning for the engine from an API partitioner. */
    static Partitioning partitioning(Partitioner p) {
        return new Partitioning(p, p.numPartitions(), p::partition);
    }

    // ---------------------------------------------------------------- transformations

    /** Applies {@code f} to each record. */
    public <R> Dataset<R> map(Function<? super T, ? extends R> f) {
        Checks.notNull(f, "map", "function", this);
        return plain(new MapPartitionsNode<T, R>(node, (p, it) -> Iterators.map(it, f), false, "map", PLAIN));
    }

    /** Keeps the records {@code p} accepts; keeps the partitioner. */
    public Dataset<T> filter(Predicate<? super T> p) {
        Checks.notNull(p, "filter", "predicate", this);
        return plain(new MapPartitionsNode<T, T>(node, (i, it) -> Iterators.filter(it, p), true, "filter", PLAIN));
    }

    /** Replaces each record by the records of the {@link Iterable} {@code f} returns for it. */
    public <R> Dataset<R> flatMap(Function<? super T, ? extends Iterable<? extends R>> f) {
        Checks.notNull(f, "flatMap", "function", this);
        return plain(new MapPartitionsNode<T, R>(node, (p, it) -> Iterators.flatMap(it, f), false, "flatMap", PLAIN));
    }

    /** Transforms each partition's record stream as a whole. */
    public <R> Dataset<R> mapPartitions(Function<? super Iterator<T>, ? extends Iterator<R>> f) {
        Checks.notNull(f, "mapPartitions", "function", this);
        return plain(new MapPartitionsNode<T, R>(node, (p, it) -> f.apply(it), false, "mapPartitions", PLAIN));
    }

    /** Transforms each partition's record stream, knowing the partition index. */
    public <R> Dataset<R> mapPartitionsWithIndex(BiFunction<Integer, ? super Iterator<T>, ? extends Iterator<R>> f) {
        Checks.notNull(f, "mapPartitionsWithIndex", "function", this);
        return plain(new MapPartitionsNode<T, R>(node, f::apply, false, "mapPartitionsWithIndex", PLAIN));
    }

    /** The partitions of this dataset followed by those of {@code other} (no de-duplication). */
    public Dataset<T> union(Dataset<T> other) {
        Checks.notNull(other, "union", "other dataset", this);
        Checks.sameContext(this, other, "union");
        return plain(new UnionNode<>(node.context(), List.of(node, other.node)));
    }

    /** Pairs each record with the key {@code f} computes: {@code Pair(f(t), t)}. */
    public <K> KeyedDataset<K, T> keyBy(Function<? super T, ? extends K> f) {
        Checks.notNull(f, "keyBy", "function", this);
        return KeyedDataset.keyed(context, new MapPartitionsNode<T, Pair<K, T>>(node,
                (p, it) -> Iterators.map(it, t -> new Pair<>(f.apply(t), t)), false, "keyBy", KeyedDataset.KIND));
    }

    /**
     * Redistributes the records evenly over {@code numPartitions} partitions with a shuffle.
     * Use it to grow the partition count, or to even out skewed partitions.
     */
    public Dataset<T> repartition(int numPartitions) {
        Checks.positive(numPartitions, "repartition", "numPartitions", this);
        KeyedDataset<Integer, T> spread = KeyedDataset.keyed(context, new MapPartitionsNode<T, Pair<Integer, T>>(node, (index, it) -> {
            // Deterministic per partition, so a recomputed partition sends records to the same places.
            int[] next = {new Random(index).nextInt(numPartitions)};
            return Iterators.map(it, t -> new Pair<>(next[0]++ % numPartitions, t));
        }, false, "repartition", KeyedDataset.KIND));
        return spread.partitionBy(new HashPartitioner(numPartitions)).values();
    }

    /**
     * Merges neighbouring partitions into {@code numPartitions} without a shuffle. Only shrinks:
     * a count at or above the current one returns this dataset (use {@link #repartition} to grow).
     */
    public Dataset<T> coalesce(int numPartitions) {
        Checks.positive(numPartitions, "coalesce", "numPartitions", this);
        if (numPartitions >= numPartitions()) {
            return this;
        }
        return plain(new CoalescedNode<>(node, numPartitions));
    }

    // ---------------------------------------------------------------- actions

    /** Number of records. */
    public long count() {
        List<Long> counts = context.runJob(node, allPartitions(), (it, tc) -> {
            long n = 0;
            while (it.hasNext()) {
                it.next();
                n++;
            }
            return n;
        });
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }

    /** All records in partition order, in one list on the heap. */
    public List<T> collect() {
        List<List<T>> parts = context.runJob(node, allPartitions(), (it, tc) -> {
            List<T> out = new ArrayList<>();
            it.forEachRemaining(out::add);
            return out;
        });
        List<T> all = new ArrayList<>();
        parts.forEach(all::addAll);
        return all;
    }

    /**
     * Folds all records with {@code f}, which must be associative: each partition is folded
     * on its own, then the partition results.
     *
     * @throws CairnException when the dataset is empty
     */
    public T reduce(BinaryOperator<T> f) {
        Checks.notNull(f, "reduce", "function", this);
        // A partition's result is null when it is empty, else a one-element holder: records may be null.
        List<Object[]> parts = context.runJob(node, allPartitions(), (it, tc) -> {
            if (!it.hasNext()) {
                return null;
            }
            T acc = it.next();
            while (it.hasNext()) {
                acc = f.apply(acc, it.next());
            }
            return new Object[] {acc};
        });
        boolean any = false;
        T acc = null;
        for (Object[] part : parts) {
            if (part != null) {
                @SuppressWarnings("unchecked")
                T v = (T) part[0];
                acc = any ? f.apply(acc, v) : v;
                any = true;
            }
        }
        if (!any) {
            throw new CairnException("Cannot reduce dataset " + this + " (expected at least one record, found none)");
        }
        return acc;
    }

    /**
     * The first {@code n} records in partition order. Computes as few partitions as it can:
     * one at first, then four times as many per round until it has {@code n}.
     */
    public List<T> take(int n) {
        if (n < 0) {
            throw new CairnException("Cannot take from dataset " + this + " (expected n >= 0, found " + n + ")");
        }
        List<T> out = new ArrayList<>(Math.min(n, 1024));
        int total = numPartitions();
        int scanned = 0;
        int batch = 1;
        while (out.size() < n && scanned < total) {
            int end = Math.min(total, scanned + batch);
            int[] parts = new int[end - scanned];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = scanned + i;
            }
            int wanted = n - out.size();
            List<List<T>> results = context.runJob(node, parts, (it, tc) -> {
                List<T> got = new ArrayList<>();
                while (got.size() < wanted && it.hasNext()) {
                    got.add(it.next());
                }
                return got;
            });
            for (List<T> r : results) {
                for (T t : r) {
                    if (out.size() < n) {
                        out.add(t);
                    }
                }
            }
            scanned = end;
            batch *= 4;
        }
        return out;
    }

    /**
     * The first record.
     *
     * @throws CairnException when the dataset is empty
     */
    public T first() {
        List<T> one = take(1);
        if (one.isEmpty()) {
            throw new CairnException("Cannot take the first record of dataset " + this + " (expected at least one record, found none)");
        }
        return one.get(0);
    }

    /** Runs {@code f} on each record, on the worker threads. */
    public void foreach(Consumer<T> f) {
        Checks.notNull(f, "foreach", "function", this);
        context.runJob(node, allPartitions(), (it, tc) -> {
            it.forEachRemaining(f);
            return null;
        });
    }

    /** Runs {@code f} on each partition's record stream, on the worker threads. */
    public void foreachPartition(Consumer<Iterator<T>> f) {
        Checks.notNull(f, "foreachPartition", "function", this);
        context.runJob(node, allPartitions(), (it, tc) -> {
            f.accept(it);
            return null;
        });
    }

    final int[] allPartitions() {
        int[] all = new int[numPartitions()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }

    // ---------------------------------------------------------------- persistence

    /**
     * Keeps computed partitions in this process's block store at {@code level}, so later actions
     * reuse them instead of recomputing the lineage. Partitions are stored as the next action
     * computes them. Returns {@code this}.
     *
     * @throws CairnException when the dataset is already persisted at another level
     *                        ({@link #unpersist()} first)
     */
    public Dataset<T> persist(StorageLevel level) {
        Objects.requireNonNull(level, "level");
        node.persist(Persistence.valueOf(level.name()));
        return this;
    }

    /** Same as {@code persist(StorageLevel.MEMORY)}. */
    public Dataset<T> cache() {
        return persist(StorageLevel.MEMORY);
    }

    /** Drops stored partitions and stops persisting. Returns {@code this}. */
    public Dataset<T> unpersist() {
        node.unpersist();
        return this;
    }

    /** The level this dataset is persisted at, if it is. */
    public final Optional<StorageLevel> storageLevel() {
        Persistence level = node.persistence();
        return level == null ? Optional.empty() : Optional.of(StorageLevel.valueOf(level.name()));
    }

    // ---------------------------------------------------------------- checkpointing

    /** Same as {@code checkpoint(CheckpointMode.LAZY)}. */
    public Dataset<T> checkpoint() {
        return checkpoint(CheckpointMode.LAZY);
    }

    /** Same as {@code checkpoint(mode, Map.of())}. */
    public Dataset<T> checkpoint(CheckpointMode mode) {
        return checkpoint(mode, Map.of());
    }

    /**
     * Marks this dataset for a reliable checkpoint in the context's checkpoint directory, under
     * {@code <checkpointDir>/<contextId>/dataset-<id>/}. {@link CheckpointMode#LAZY LAZY} writes
     * the partitions while the next action over this dataset computes them, so it is computed
     * once, and commits when that action completes; {@link CheckpointMode#EAGER EAGER} does it now.
     * After the commit the files are reloaded and verified, and the lineage is cut: this dataset
     * then reads the files, and {@link #parents()} is the checkpoint source alone. Marking
     * several datasets of one lineage checkpoints each of them.
     *
     * @param mode     when to write
     * @param metadata free entries for the manifest's {@code metadata} map
     * @return {@code this}
     * @throws CairnException when the context has no checkpoint directory, or the dataset is
     *                        marked for a local checkpoint
     * @throws CheckpointException when an eager checkpoint fails (the dataset keeps its lineage)
     */
    public Dataset<T> checkpoint(CheckpointMode mode, Map<String, String> metadata) {
        return checkpoint(mode, metadata, null);
    }

    /**
     * {@link #checkpoint(CheckpointMode, Map)} into {@code checkpointDir} instead of the
     * context's checkpoint directory (the checkpoint goes to
     * {@code <checkpointDir>/<contextId>/dataset-<id>/}). For helpers that keep their own
     * directory, such as a resumable loop's run directory.
     *
     * @param checkpointDir the directory, or {@code null} for the context's
     */
    public Dataset<T> checkpoint(CheckpointMode mode, Map<String, String> metadata, URI checkpointDir) {
        Checks.notNull(mode, "checkpoint", "mode", this);
        Checks.notNull(metadata, "checkpoint", "metadata map", this);
        context.checkOpen("checkpoint dataset " + this);
        URI dir = checkpointDir != null ? context.resolveLocation(checkpointDir) : context.checkpointDir().orElseThrow(
                () -> new CairnException("Cannot checkpoint dataset " + this + " (expected a checkpoint directory, found none; set one with"
                        + " CairnContext.builder().checkpointDir(\"file:///path\") or ctx.setCheckpointDir(\"s3://bucket/prefix\"), or use"
                        + " localCheckpoint() for an in-process checkpoint)"));
        context.engine().markCheckpoint(node, true, CheckpointTiming.valueOf(mode.name()), metadata, dir);
        return this;
    }

    /** Same as {@code localCheckpoint(CheckpointMode.LAZY)}. */
    public Dataset<T> localCheckpoint() {
        return localCheckpoint(CheckpointMode.LAZY);
    }

    /**
     * Marks this dataset for a local checkpoint: its partitions are kept in this process's block
     * store (persisting it at {@code MEMORY_AND_DISK} unless it is already persisted) as the first
     * computation produces them, and the lineage is cut. Fast, but not reliable: a partition lost
     * from the block store (e.g. by {@link #unpersist()}) cannot be recomputed, and nothing
     * survives the process. Needs no checkpoint directory.
     *
     * @return {@code this}
     */
    public Dataset<T> localCheckpoint(CheckpointMode mode) {
        Checks.notNull(mode, "localCheckpoint", "mode", this);
        if (mode == CheckpointMode.ASYNC) {
            throw new CairnException("Cannot locally checkpoint dataset " + this + " (expected LAZY or EAGER, found ASYNC; a local"
                    + " checkpoint writes nothing to storage, so there is nothing to do in the background)");
        }
        context.engine().markCheckpoint(node, false, CheckpointTiming.valueOf(mode.name()), Map.of(), null);
        return this;
    }

    /**
     * Waits for this dataset's checkpoint to be committed and verified, as an
     * {@link CheckpointMode#ASYNC ASYNC} checkpoint is in the background, and returns its
     * location. Returns at once for a checkpoint already committed.
     *
     * @throws CheckpointException the background checkpoint's failure (the dataset keeps its lineage)
     * @throws CairnException      when the dataset is not marked, or its async checkpoint has not
     *                             started (no action ran over it yet)
     */
    public URI awaitCheckpoint() {
        return context.engine().awaitCheckpoint(node, null).orElseThrow();
    }

    /**
     * {@link #awaitCheckpoint()}, waiting at most {@code timeout}.
     *
     * @return the location, or empty when the checkpoint is still being written after {@code timeout}
     */
    public Optional<URI> awaitCheckpoint(java.time.Duration timeout) {
        Checks.notNull(timeout, "awaitCheckpoint", "timeout", this);
        return context.engine().awaitCheckpoint(node, timeout);
    }

    /** Whether a checkpoint of this dataset is committed and its lineage cut. */
    public final boolean isCheckpointed() {
        return checkpointState() == CheckpointState.CHECKPOINTED;
    }

    /** Where this dataset is in its checkpoint. */
    public final CheckpointState checkpointState() {
        return CheckpointState.valueOf(node.checkpointPhase().name());
    }

    /** The directory of this dataset's committed reliable checkpoint. */
    public final Optional<URI> checkpointLocation() {
        var cp = node.checkpointData();
        return cp != null && cp.reliable() && cp.phase() == CheckpointPhase.CHECKPOINTED ? Optional.of(cp.location()) : Optional.empty();
    }

    /**
     * Gives up this dataset's checkpoint. A mark not yet written is simply removed. A committed
     * reliable checkpoint is what this dataset (and every dataset derived from it) now reads, so
     * its files are not deleted at once: they are deleted when this dataset has been garbage
     * collected, or when the context closes, whichever comes first. (Spark's periodic
     * checkpointer deleted files that live datasets still read: SPARK-22150.)
     *
     * @throws CairnException while the checkpoint is being written
     */
    public void deleteCheckpoint() {
        context.engine().deleteCheckpoint(node);
    }

    /** A plain dataset over a new node of this context. */
    final <R> Dataset<R> plain(Node<R> child) {
        return new PlainDataset<>(context, child);
    }

    /** The lineage name of plain map-like nodes. */
    static final String PLAIN = "MapPartitionsDataset";

    /** {@code ClassName[id]}, with the name in quotes when there is one. */
    @Override
    public String toString() {
        return node.toString();
    }
}
