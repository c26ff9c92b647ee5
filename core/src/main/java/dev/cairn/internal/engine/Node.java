package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A node of the lineage graph, as the engine sees a dataset: its partition count, its optional
 * partitioning, its edges to its parents, and how to compute one partition from its parents'
 * records. The public {@code dev.cairn.Dataset} is a facade over one node; the engine never sees
 * the facade, only what a node was built with.
 *
 * <p>Each node reports its kind (the name {@code lineage()} shows, such as
 * {@code MapPartitionsDataset}) and, after a checkpoint, only the checkpoint's source as its
 * parent. Nodes are safe to compute from several tasks at once; their settings (name,
 * persistence, checkpoint) change under the node's monitor.
 *
 * @param <T> record type
 */
public abstract class Node<T> {
    private final EngineContext context;
    private final int id;
    private volatile String name;
    private volatile Persistence persistence;
    private volatile CheckpointData<T> checkpoint;
    /** The facade the API made for this node, if any (never looked at by the engine). */
    private volatile Object facade;

    protected Node(EngineContext context) {
        this.context = context;
        context.checkOpen("create a dataset");
        this.id = context.nextDatasetId();
    }

    /** The context this node belongs to. */
    public final EngineContext context() {
        return context;
    }

    /** Unique id within the context. */
    public final int id() {
        return id;
    }

    /** The name given to the dataset, or {@code null}. */
    public final String name() {
        return name;
    }

    /** Names the dataset. */
    public final void setName(String name) {
        this.name = name;
    }

    /** Number of partitions. */
    public abstract int numPartitions();

    /** How keys are placed in partitions, when known. */
    public Optional<Partitioning> partitioning() {
        return Optional.empty();
    }

    /** The edges to the parents as built, before any checkpoint. */
    protected abstract List<Dependency> lineageDependencies();

    /** Computes one partition's records as a stream; reads parents through their {@link #iterator}. */
    protected abstract Iterator<T> compute(int partition, TaskContext task);

    /** What produced this node, shown after its kind in the lineage, e.g. {@code map}. */
    protected String operation() {
        return "";
    }

    /** The name the lineage shows for this node, e.g. {@code MapPartitionsDataset}. */
    public abstract String kind();

    /** Drops references to parents once a checkpoint cut the lineage, so they can be collected. */
    protected void clearDependencies() {
    }

    /** The facade the API attached, or {@code null}. */
    public final Object facade() {
        return facade;
    }

    /** Attaches the API's facade; once. */
    public final void attach(Object facade) {
        this.facade = facade;
    }

    /** The edges to the parents now: after a checkpoint, the checkpoint's source alone. */
    public final List<Dependency> dependencies() {
        CheckpointData<T> cp = checkpoint;
        if (cp != null && cp.phase() == CheckpointPhase.CHECKPOINTED) {
            return List.of(new NarrowDependency(cp.source()));
        }
        return lineageDependencies();
    }

    /** The parent nodes now. */
    public final List<Node<?>> parents() {
        List<Node<?>> parents = new ArrayList<>();
        for (Dependency d : dependencies()) {
            parents.add(d.parent());
        }
        return parents;
    }

    // ---------------------------------------------------------------- records

    /**
     * The records of one partition: from the block store when persisted (computing and storing
     * them on first use), else computed; written through to the checkpoint being written.
     */
    public final Iterator<T> iterator(int partition, TaskContext task) {
        CheckpointData<T> cp = checkpoint;
        Persistence level = persistence;
        BlockStore blocks = context.engine().blockStore();
        if (cp != null && cp.phase() == CheckpointPhase.CHECKPOINTED) {
            Node<T> source = cp.source();
            return level == null ? source.iterator(partition, task)
                    : blocks.getOrCompute(id, partition, level, task, () -> source.iterator(partition, task));
        }
        Iterator<T> records = level == null ? compute(partition, task)
                : blocks.getOrCompute(id, partition, level, task, () -> compute(partition, task));
        return cp == null ? records : cp.writeThrough(partition, records, task);
    }

    // ---------------------------------------------------------------- persistence

    /** The persistence level, or {@code null}. */
    public final Persistence persistence() {
        return persistence;
    }

    /**
     * Keeps computed partitions in the block store at {@code level}.
     *
     * @throws CairnException when persisted at another level
     */
    public final synchronized void persist(Persistence level) {
        Persistence current = persistence;
        if (current != null && current != level) {
            throw new CairnException("Cannot persist dataset " + this + " at " + level + " (expected it unpersisted, found it persisted at "
                    + current + "; call unpersist() first)");
        }
        if (current == null) {
            int nodeId = id;
            Engine engine = context.engine();
            engine.whenUnreachable(this, () -> engine.blockStore().remove(nodeId));
            persistence = level;
        }
    }

    /** Drops stored partitions and stops persisting. */
    public final synchronized void unpersist() {
        persistence = null;
        context.engine().blockStore().remove(id);
    }

    // ---------------------------------------------------------------- checkpoints

    /** The checkpoint of this node, or {@code null}. */
    public final CheckpointData<T> checkpointData() {
        return checkpoint;
    }

    /** Installs a checkpoint (the caller holds this node's monitor and checked the state). */
    final void setCheckpoint(CheckpointData<T> checkpoint) {
        this.checkpoint = checkpoint;
    }

    /** Where this node is in its checkpoint. */
    public final CheckpointPhase checkpointPhase() {
        CheckpointData<T> cp = checkpoint;
        return cp == null ? CheckpointPhase.NONE : cp.phase();
    }

    // ---------------------------------------------------------------- lineage

    /**
     * The lineage as an indented tree, one node per line, parents indented below their child by
     * two spaces per level: {@code Kind[id] (N partitions) operation}, the name in quotes, the
     * persistence level and checkpoint note in brackets. A parent reached through a shuffle is
     * marked {@code (shuffle)}; a node reached twice is listed once more with
     * {@code (shown above)} instead of its parents again.
     */
    public final String lineage() {
        StringBuilder out = new StringBuilder();
        appendLineage(out, 0, false, new HashSet<>());
        return out.toString();
    }

    private void appendLineage(StringBuilder out, int depth, boolean shuffled, Set<Integer> shown) {
        out.append("  ".repeat(depth)).append(shuffled ? "(shuffle) " : "").append(kind()).append('[').append(id).append(']')
                .append(" (").append(numPartitions()).append(numPartitions() == 1 ? " partition)" : " partitions)");
        String op = operation();
        if (!op.isEmpty()) {
            out.append(' ').append(op);
        }
        if (name != null) {
            out.append(" '").append(name).append('\'');
        }
        Persistence level = persistence;
        if (level != null) {
            out.append(" [").append(level).append(']');
        }
        CheckpointData<T> cp = checkpoint;
        if (cp != null && cp.phase() != CheckpointPhase.NONE) {
            out.append(" [").append(cp.lineageNote()).append(']');
        }
        if (!shown.add(id)) {
            out.append(" (shown above)\n");
            return;
        }
        out.append('\n');
        for (Dependency d : dependencies()) {
            d.parent().appendLineage(out, depth + 1, d instanceof ShuffleDependency, shown);
        }
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

    /** {@code Kind[id]}, with the name in quotes when there is one. */
    @Override
    public String toString() {
        String n = name;
        return kind() + "[" + id + "]" + (n == null ? "" : " '" + n + "'");
    }
}
