package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Where a locally checkpointed node's lineage ends: its partitions live only in this process's
 * block store, under the checkpointed node's id. The checkpointed node reads its blocks first;
 * this source is reached only when a block is gone (unpersisted, or the context lost it), and
 * then fails with a message saying so, since the lineage to recompute it was cut.
 *
 * @param <T> record type
 */
public final class LocalCheckpointSourceNode<T> extends Node<T> {
    private final String checkpointed;
    private final int partitions;
    private final Partitioning partitioning;

    LocalCheckpointSourceNode(EngineContext context, String checkpointed, int partitions, Partitioning partitioning) {
        super(context);
        this.checkpointed = checkpointed;
        this.partitions = partitions;
        this.partitioning = partitioning;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public Optional<Partitioning> partitioning() {
        return Optional.ofNullable(partitioning);
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        return List.of();
    }

    @Override
    protected Iterator<T> compute(int partition, TaskContext task) {
        throw new CairnException("Cannot read partition " + partition + " of the local checkpoint of dataset " + checkpointed
                + ": block store of this process (expected the partition's block, found it gone, e.g. after unpersist();"
                + " local checkpoints are not reliable and their lineage is cut: use checkpoint() for data that must survive)");
    }

    @Override
    protected String operation() {
        return "local checkpoint of " + checkpointed;
    }

    @Override
    public String kind() {
        return "LocalCheckpointDataset";
    }
}
