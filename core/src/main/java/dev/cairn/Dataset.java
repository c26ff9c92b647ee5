package dev.cairn;

import dev.cairn.exec.CoalescedDataset;
import dev.cairn.exec.Dependency;
import dev.cairn.exec.Engine;
import dev.cairn.exec.Iterators;
import dev.cairn.exec.KeyedMapPartitionsDataset;
import dev.cairn.exec.MapPartitionsDataset;
import dev.cairn.exec.TaskContext;
import dev.cairn.exec.UnionDataset;
import dev.cairn.exec.NarrowDependency;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
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
 * <h2>Extending</h2>
 * A new source or transformation subclasses {@code Dataset} (or {@link KeyedDataset} for pairs)
 * and implements {@link #numPartitions()}, {@link #lineageDependencies()} and
 * {@link #compute(int, TaskContext)}; everything else comes from this class.
 *
 * @param <T> record type
 */
public abstract class Dataset<T> {
    private final CairnContext context;
    private final int id;
    private volatile String name;
    private volatile StorageLevel storageLevel;
    private volatile CheckpointData<T> checkpointData;

    /**
     * Registers a new dataset with {@code context}.
     *
     * @throws CairnException if the context is closed
     */
    protected Dataset(CairnContext context) {
        this.context = Objects.requireNonNull(context, "context");
        context.checkOpen("create a dataset");
        this.id = context.nextDatasetId();
    }

    // ---------------------------------------------------------------- structure

    /** The context this dataset belongs to. */
    public final CairnContext context() {
        return context;
    }

    /** Unique id within the context, shown as {@code [id]} in lineage and in messages. */
    public final int id() {
        return id;
    }

    /** The name given with {@link #setName(String)}, if any. */
    public final Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** Names this dataset for lineage output, logs and checkpoint manifests; returns {@code this}. */
    public Dataset<T> setName(String name) {
        this.name = name;
        return this;
    }

    /** Number of partitions, at least 0 (an empty source may have none). */
    public abstract int numPartitions();

    /** How keys are placed in partitions, for keyed datasets whose placement is known. */
    public Optional<Partitioner> partitioner() {
        return Optional.empty();
    }

    /** The edges to the parents this dataset is computed from, as built (before any checkpoint). */
    protected abstract List<Dependency> lineageDependencies();

    /**
     * Computes one partition's records as a stream. Called by the engine through
     * {@link #iterator(int, TaskContext)}, which adds caching; implementations read parents
     * through their {@code iterator} too.
     */
    protected abstract Iterator<T> compute(int partition, TaskContext task);

    /** What produced this dataset, shown after the class name in {@link #lineage()}, e.g. {@code map}. */
    protected String operation() {
        return "";
    }

    /**
     * The edges to the parents this dataset is computed from now: after a checkpoint, only the
     * checkpoint source.
     */
    public final List<Dependency> dependencies() {
        CheckpointData<T> cp = checkpointData;
        if (cp != null && cp.state() == CheckpointState.CHECKPOINTED) {
            return List.of(new NarrowDependency(cp.source()));
        }
        return lineageDependencies();
    }

    /**
     * Drops the references to parents once a checkpoint has cut the lineage, so that the old
     * lineage (and the shuffle outputs and cached blocks it holds) can be garbage collected.
     * Subclasses holding parents override it to null their fields; {@link #compute} is never
     * called afterwards.
     */
    protected void clearDependencies() {
    }

    /** The datasets this one is computed from. */
    public final List<Dataset<?>> parents() {
        List<Dataset<?>> parents = new ArrayList<>();
        for (Dependency d : dependencies()) {
            parents.add(d.parent());
        }
        return Collections.unmodifiableList(parents);
    }

    /**
     * The records of one partition: from the block store when the dataset is persisted
     * (computing and storing them on first use), else computed. Called by the engine and by
     * child datasets; not meant for application code.
     */
    public final Iterator<T> iterator(int partition, TaskContext task) {
        CheckpointData<T> cp = checkpointData;
        StorageLevel level = storageLevel;
        if (cp != null && cp.state() == CheckpointState.CHECKPOINTED) {
            Dataset<T> source = cp.source();
            return level == null ? source.iterator(partition, task)
                    : engine().blockStore().getOrCompute(id, partition, level, task, () -> source.iterator(partition, task));
        }
        Iterator<T> records = level == null ? compute(partition, task)
                : engine().blockStore().getOrCompute(id, partition, level, task, () -> compute(partition, task));
        return cp == null ? records : cp.writeThrough(partition, records, task);
    }

    /**
     * The lineage as an indented tree, one dataset per line, children indented below their
     * parent by two spaces per level: {@code ClassName[id] (N partitions) operation}, plus the
     * storage level when persisted. A dataset reached twice is listed once more with
     * {@code (shown above)} instead of its parents again.
     */
    public final String lineage() {
        StringBuilder out = new StringBuilder();
        appendLineage(out, 0, new java.util.HashSet<>());
        return out.toString();
    }

    private void appendLineage(StringBuilder out, int depth, java.util.Set<Integer> shown) {
        out.append("  ".repeat(depth)).append(getClass().getSimpleName()).append('[').append(id).append(']')
                .append(" (").append(numPartitions()).append(numPartitions() == 1 ? " partition)" : " partitions)");
        String op = operation();
        if (!op.isEmpty()) {
            out.append(' ').append(op);
        }
        if (name != null) {
            out.append(" '").append(name).append('\'');
        }
        StorageLevel level = storageLevel;
        if (level != null) {
            out.append(" [").append(level).append(']');
        }
        lineageNote().ifPresent(note -> out.append(" [").append(note).append(']'));
        if (!shown.add(id)) {
            out.append(" (shown above)\n");
            return;
        }
        out.append('\n');
        for (Dependency d : dependencies()) {
            d.parent().appendLineage(out, depth + 1, shown);
        }
    }

    /** An extra note for this dataset's line in {@link #lineage()}, such as its checkpoint. */
    Optional<String> lineageNote() {
        CheckpointData<T> cp = checkpointData;
        if (cp == null || cp.state() == CheckpointState.NONE) {
            return Optional.empty();
        }
        String kind = cp.reliable() ? "checkpoint" : "local checkpoint";
        if (cp.state() != CheckpointState.CHECKPOINTED) {
            return Optional.of(kind + " " + cp.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
        }
        return Optional.of(cp.reliable() ? "checkpointed" : "locally checkpointed");
    }

    /** Levels in {@link #lineage()}: 1 for a source, 1 + the deepest parent otherwise. */
    public final int lineageDepth() {
        return depth(new HashMap<>());
    }

    private int depth(Map<Integer, Integer> memo) {
        Integer known = memo.get(id);
        if (known != null) {
            return known;
        }
        int deepest = 0;
        for (Dependency d : dependencies()) {
            deepest = Math.max(deepest, d.parent().depth(memo));
        }
        memo.put(id, deepest + 1);
        return deepest + 1;
    }

    /** The engine of this dataset's context (for subclasses). */
    protected final Engine engine() {
        return context.engine();
    }

    // ---------------------------------------------------------------- transformations

    /** Applies {@code f} to each record. */
    public <R> Dataset<R> map(Function<? super T, ? extends R> f) {
        Checks.notNull(f, "map", "function", this);
        return new MapPartitionsDataset<T, R>(this, (p, it) -> Iterators.map(it, f), false, "map");
    }

    /** Keeps the records {@code p} accepts; keeps the partitioner. */
    public Dataset<T> filter(Predicate<? super T> p) {
        Checks.notNull(p, "filter", "predicate", this);
        return new MapPartitionsDataset<T, T>(this, (i, it) -> Iterators.filter(it, p), true, "filter");
    }

    /** Replaces each record by the records of the {@link Iterable} {@code f} returns for it. */
    public <R> Dataset<R> flatMap(Function<? super T, ? extends Iterable<? extends R>> f) {
        Checks.notNull(f, "flatMap", "function", this);
        return new MapPartitionsDataset<T, R>(this, (p, it) -> Iterators.flatMap(it, f), false, "flatMap");
    }

    /** Transforms each partition's record stream as a whole. */
    public <R> Dataset<R> mapPartitions(Function<? super Iterator<T>, ? extends Iterator<R>> f) {
        Checks.notNull(f, "mapPartitions", "function", this);
        return new MapPartitionsDataset<T, R>(this, (p, it) -> f.apply(it), false, "mapPartitions");
    }

    /** Transforms each partition's record stream, knowing the partition index. */
    public <R> Dataset<R> mapPartitionsWithIndex(BiFunction<Integer, ? super Iterator<T>, ? extends Iterator<R>> f) {
        Checks.notNull(f, "mapPartitionsWithIndex", "function", this);
        return new MapPartitionsDataset<T, R>(this, f::apply, false, "mapPartitionsWithIndex");
    }

    /** The partitions of this dataset followed by those of {@code other} (no de-duplication). */
    public Dataset<T> union(Dataset<T> other) {
        Checks.notNull(other, "union", "other dataset", this);
        Checks.sameContext(this, other, "union");
        return new UnionDataset<>(context, List.of(this, other));
    }

    /** Pairs each record with the key {@code f} computes: {@code Pair(f(t), t)}. */
    public <K> KeyedDataset<K, T> keyBy(Function<? super T, ? extends K> f) {
        Checks.notNull(f, "keyBy", "function", this);
        return new KeyedMapPartitionsDataset<T, K, T>(this, (p, it) -> Iterators.map(it, t -> new Pair<>(f.apply(t), t)),
                false, "keyBy");
    }

    /**
     * Redistributes the records evenly over {@code numPartitions} partitions with a shuffle.
     * Use it to grow the partition count, or to even out skewed partitions.
     */
    public Dataset<T> repartition(int numPartitions) {
        Checks.positive(numPartitions, "repartition", "numPartitions", this);
        KeyedDataset<Integer, T> spread = new KeyedMapPartitionsDataset<T, Integer, T>(this, (index, it) -> {
            // Deterministic per partition, so a recomputed partition sends records to the same places.
            int[] next = {new Random(index).nextInt(numPartitions)};
            return Iterators.map(it, t -> new Pair<>(next[0]++ % numPartitions, t));
        }, false, "repartition");
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
        return new CoalescedDataset<>(this, numPartitions);
    }

    // ---------------------------------------------------------------- actions

    /** Number of records. */
    public long count() {
        List<Long> counts = context.runJob(this, allPartitions(), (it, tc) -> {
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
        List<List<T>> parts = context.runJob(this, allPartitions(), (it, tc) -> {
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
        List<Object[]> parts = context.runJob(this, allPartitions(), (it, tc) -> {
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
            List<List<T>> results = context.runJob(this, parts, (it, tc) -> {
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
        context.runJob(this, allPartitions(), (it, tc) -> {
            it.forEachRemaining(f);
            return null;
        });
    }

    /** Runs {@code f} on each partition's record stream, on the worker threads. */
    public void foreachPartition(Consumer<Iterator<T>> f) {
        Checks.notNull(f, "foreachPartition", "function", this);
        context.runJob(this, allPartitions(), (it, tc) -> {
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
        synchronized (this) {
            StorageLevel current = storageLevel;
            if (current != null && current != level) {
                throw new CairnException("Cannot persist dataset " + this + " at " + level + " (expected it unpersisted, found it persisted at "
                        + current + "; call unpersist() first)");
            }
            if (current == null) {
                int datasetId = id;
                Engine engine = engine();
                engine.whenUnreachable(this, () -> engine.blockStore().remove(datasetId));
                storageLevel = level;
            }
        }
        return this;
    }

    /** Same as {@code persist(StorageLevel.MEMORY)}. */
    public Dataset<T> cache() {
        return persist(StorageLevel.MEMORY);
    }

    /** Drops stored partitions and stops persisting. Returns {@code this}. */
    public Dataset<T> unpersist() {
        synchronized (this) {
            storageLevel = null;
            engine().blockStore().remove(id);
        }
        return this;
    }

    /** The level this dataset is persisted at, if it is. */
    public final Optional<StorageLevel> storageLevel() {
        return Optional.ofNullable(storageLevel);
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
        synchronized (this) {
            CheckpointData<T> cp = checkpointData;
            if (cp != null && cp.state() != CheckpointState.NONE) {
                if (!cp.reliable()) {
                    throw new CairnException("Cannot checkpoint dataset " + this
                            + " (expected it unmarked, found it marked for a local checkpoint; use one kind of checkpoint per dataset)");
                }
                if (mode == CheckpointMode.LAZY || cp.state() == CheckpointState.CHECKPOINTED) {
                    return this;
                }
            } else {
                URI dir = checkpointDir != null ? context.checkedCheckpointDir(checkpointDir) : context.checkpointDir().orElseThrow(() -> new CairnException("Cannot checkpoint dataset " + this
                        + " (expected a checkpoint directory, found none; set one with CairnContext.builder().checkpointDir(\"file:///path\")"
                        + " or ctx.setCheckpointDir(\"s3://bucket/prefix\"), or use localCheckpoint() for an in-process checkpoint)"));
                boolean dirty = cp != null && cp.dirty(); // a failed eager attempt may have left a committed manifest
                checkpointData = new CheckpointData<>(this, true, mode, metadata, dir, dirty);
            }
        }
        if (mode == CheckpointMode.EAGER) {
            context.completeCheckpoints(this);
        }
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
        context.checkOpen("checkpoint dataset " + this);
        synchronized (this) {
            CheckpointData<T> cp = checkpointData;
            if (cp != null && cp.state() != CheckpointState.NONE) {
                if (cp.reliable()) {
                    throw new CairnException("Cannot locally checkpoint dataset " + this
                            + " (expected it unmarked, found it marked for a reliable checkpoint; use one kind of checkpoint per dataset)");
                }
                if (mode == CheckpointMode.LAZY || cp.state() == CheckpointState.CHECKPOINTED) {
                    return this;
                }
            } else {
                if (storageLevel == null) {
                    persist(StorageLevel.MEMORY_AND_DISK);
                }
                checkpointData = new CheckpointData<>(this, false, mode, Map.of(), null, false);
            }
        }
        if (mode == CheckpointMode.EAGER) {
            context.completeCheckpoints(this);
        }
        return this;
    }

    /** Whether a checkpoint of this dataset is committed and its lineage cut. */
    public final boolean isCheckpointed() {
        return checkpointState() == CheckpointState.CHECKPOINTED;
    }

    /** Where this dataset is in its checkpoint. */
    public final CheckpointState checkpointState() {
        CheckpointData<T> cp = checkpointData;
        return cp == null ? CheckpointState.NONE : cp.state();
    }

    /** The directory of this dataset's committed reliable checkpoint. */
    public final Optional<URI> checkpointLocation() {
        CheckpointData<T> cp = checkpointData;
        return cp != null && cp.reliable() && cp.state() == CheckpointState.CHECKPOINTED ? Optional.of(cp.location()) : Optional.empty();
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
        CheckpointData<T> cp;
        synchronized (this) {
            cp = checkpointData;
            if (cp == null || cp.state() == CheckpointState.NONE) {
                return;
            }
            if (cp.state() == CheckpointState.MARKED) {
                checkpointData = null;
                return;
            }
            if (cp.state() == CheckpointState.IN_PROGRESS) {
                throw new CairnException("Cannot delete the checkpoint of dataset " + this + ": " + cp.location()
                        + " (expected a marked or committed checkpoint, found it being written; delete it after the action completes)");
            }
        }
        if (cp.reliable()) {
            context.deleteWhenUnreachable(this, cp.location());
        }
    }

    /** The checkpoint state object (for the context's job hooks). */
    final CheckpointData<T> checkpointData() {
        return checkpointData;
    }

    /** {@code ClassName[id]}, with the name in quotes when there is one. */
    @Override
    public String toString() {
        String n = name;
        return getClass().getSimpleName() + "[" + id + "]" + (n == null ? "" : " '" + n + "'");
    }
}
