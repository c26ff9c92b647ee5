package dev.cairn.internal.engine;

import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.PartIterator;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A committed checkpoint read back as a node: partition {@code i} is part file {@code i}, read
 * through the format API's {@link CheckpointReader} and verified as it is read. It has no
 * parents: it is where a checkpointed dataset's lineage ends.
 *
 * @param <T> record type
 */
public final class CheckpointSourceNode<T> extends Node<T> {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CheckpointSourceNode.class);
    private final CheckpointReader reader;
    private final Partitioning partitioning;

    /**
     * @param context      the reading context, whose storage backends read the parts
     * @param reader       the opened checkpoint
     * @param partitioning how to turn the stored partitioner into a partitioning; empty when the
     *                     checkpoint has no partitioner the API knows
     */
    public CheckpointSourceNode(EngineContext context, CheckpointReader reader, Function<Object, Optional<Partitioning>> partitioning) {
        super(context);
        this.reader = reader;
        this.partitioning = partitioningOf(reader, partitioning);
    }

    /**
     * The stored partitioner as a partitioning, when this process can load it and it is one the
     * API knows; otherwise none (e.g. a Spark partitioner read where Spark is not): the records
     * read the same, only joins by key shuffle.
     */
    private static Partitioning partitioningOf(CheckpointReader reader, Function<Object, Optional<Partitioning>> partitioning) {
        try {
            return reader.partitioner().flatMap(partitioning).orElse(null);
        } catch (dev.cairn.IncompatibleCheckpointException e) {
            LOG.warn("Reading checkpoint {} without its partitioner: {}", reader.location(), e.getMessage());
            return null;
        }
    }

    /** The checkpoint directory. */
    public URI location() {
        return reader.location();
    }

    @Override
    public int numPartitions() {
        return reader.numPartitions();
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
        PartIterator<T> part = reader.openPart(context().storage(), partition);
        task.onCompletion(failure -> part.close());
        return part;
    }

    @Override
    protected String operation() {
        return reader.location().toString();
    }

    @Override
    public String kind() {
        return "ReliableCheckpointDataset";
    }
}
