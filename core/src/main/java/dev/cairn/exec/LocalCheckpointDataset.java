package dev.cairn.exec;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.Dataset;
import dev.cairn.Partitioner;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Where a locally checkpointed dataset's lineage ends: its partitions live only in this
 * process's block store, under the checkpointed dataset's id. The checkpointed dataset reads its
 * blocks first; this source is reached only when a block is gone (unpersisted, or the context
 * lost it), and then fails with a message saying so, since the lineage to recompute it was cut.
 *
 * @param <T> record type
 */
public final class LocalCheckpointDataset<T> extends Dataset<T> {
    private final String checkpointed;
    private final int partitions;
    private final Partitioner partitioner;

    /**
     * @param context      the context whose block store holds the partitions
     * @param checkpointed the checkpointed dataset as shown in messages
     * @param partitions   its partition count
     * @param partitioner  its partitioner, or {@code null}
     */
    public LocalCheckpointDataset(CairnContext context, String checkpointed, int partitions, Partitioner partitioner) {
        super(context);
        this.checkpointed = checkpointed;
        this.partitions = partitions;
        this.partitioner = partitioner;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public Optional<Partitioner> partitioner() {
        return Optional.ofNullable(partitioner);
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
}
