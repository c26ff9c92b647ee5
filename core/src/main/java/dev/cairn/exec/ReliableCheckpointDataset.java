package dev.cairn.exec;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.Partitioner;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.PartIterator;
import dev.cairn.storage.StorageRegistry;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * A committed checkpoint read back as a dataset: partition {@code i} is part file {@code i} of
 * the manifest, read through the format API's {@link CheckpointReader} and verified as it is read.
 * It has no parents: it is where a checkpointed dataset's lineage ends.
 *
 * @param <T> record type
 */
public final class ReliableCheckpointDataset<T> extends Dataset<T> {
    private final CheckpointReader reader;
    private final StorageRegistry storage;
    private final Partitioner partitioner;

    /**
     * @param context the reading context, whose storage backends read the parts
     * @param reader  the opened checkpoint
     * @param storage the context's storage backends
     */
    public ReliableCheckpointDataset(CairnContext context, CheckpointReader reader, StorageRegistry storage) {
        super(context);
        this.reader = reader;
        this.storage = storage;
        this.partitioner = (Partitioner) reader.partitioner().filter(p -> p instanceof Partitioner).orElse(null);
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
    public Optional<Partitioner> partitioner() {
        return Optional.ofNullable(partitioner);
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        return List.of();
    }

    @Override
    protected Iterator<T> compute(int partition, TaskContext task) {
        PartIterator<T> part = reader.openPart(storage, partition);
        task.onCompletion(failure -> part.close());
        return part;
    }

    @Override
    protected String operation() {
        return reader.location().toString();
    }
}
