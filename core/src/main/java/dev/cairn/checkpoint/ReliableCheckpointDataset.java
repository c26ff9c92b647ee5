package dev.cairn.checkpoint;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.Partitioner;
import dev.cairn.exec.Dependency;
import dev.cairn.exec.TaskContext;
import dev.cairn.serde.Compression;
import dev.cairn.serde.Serializer;
import dev.cairn.storage.Storage;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * A committed checkpoint read back as a dataset: partition {@code i} is part file {@code i} of
 * the manifest, deserialized as a stream and verified (length, record count, CRC32C) as it is
 * read. It has no parents: it is where a checkpointed dataset's lineage ends.
 *
 * @param <T> record type
 */
public final class ReliableCheckpointDataset<T> extends Dataset<T> {
    private final URI location;
    private final CheckpointManifest manifest;
    private final Partitioner partitioner;
    private final Storage storage;
    private final Serializer serializer;
    private final Compression compression;
    private final String label;

    /**
     * @param context     the reading context
     * @param location    the checkpoint directory
     * @param manifest    its manifest
     * @param partitioner the partitioner from {@code _partitioner}, or {@code null}
     * @param storage     where the files are
     * @param serializer  the serializer the manifest names
     * @param compression the compression the manifest names
     * @param label       the checkpointed dataset as shown in messages
     */
    public ReliableCheckpointDataset(CairnContext context, URI location, CheckpointManifest manifest, Partitioner partitioner,
                                     Storage storage, Serializer serializer, Compression compression, String label) {
        super(context);
        this.location = location;
        this.manifest = manifest;
        this.partitioner = partitioner;
        this.storage = storage;
        this.serializer = serializer;
        this.compression = compression;
        this.label = label;
    }

    /** The checkpoint directory. */
    public URI location() {
        return location;
    }

    /** The manifest read back. */
    public CheckpointManifest manifest() {
        return manifest;
    }

    @Override
    public int numPartitions() {
        return manifest.numPartitions();
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
    @SuppressWarnings("unchecked")
    protected Iterator<T> compute(int partition, TaskContext task) {
        PartReader reader = PartReader.open(storage, location, manifest.parts().get(partition), serializer, compression, label);
        task.onCompletion(failure -> reader.close());
        return (Iterator<T>) (Iterator<?>) reader;
    }

    @Override
    protected String operation() {
        return location.toString();
    }
}
