package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.CheckpointException;
import dev.cairn.IncompatibleCheckpointException;
import dev.cairn.PartitionCountMismatchException;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Compression;
import dev.cairn.serde.Serializer;
import dev.cairn.serde.Serializers;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageRegistry;
import java.io.Serializable;
import java.net.URI;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A committed checkpoint, opened for reading by any engine in any process: its manifest has been
 * read and checked, and the store lists every part at its size. Serializable, so a driver opens it
 * once and ships it to the workers, which read their partitions with {@link #openPart}.
 *
 * <pre>{@code
 * CheckpointReader reader = CheckpointReader.open(storage, location, options);
 * reader.expectPartitions(8);                       // the check Spark makes
 * try (PartIterator<Point> it = reader.openPart(storage, 3)) { while (it.hasNext()) use(it.next()); }
 * }</pre>
 *
 * <p>Thread-safe; each {@link PartIterator} belongs to one thread.
 */
public final class CheckpointReader implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointReader.class);

    private final URI location;
    private final CheckpointManifest manifest;
    private final TreeMap<String, String> options;
    private final String dataset;
    private final byte[] partitioner;
    private final int listings;
    private transient volatile Serializer serializer;
    private transient volatile Object partitionerObject;

    CheckpointReader(URI location, CheckpointManifest manifest, CairnOptions options, String dataset, byte[] partitioner,
                     int listings) {
        this.location = location;
        this.manifest = manifest;
        this.options = new TreeMap<>(options.asMap());
        this.dataset = dataset;
        this.partitioner = partitioner;
        this.listings = listings;
    }

    /**
     * Opens the committed checkpoint at {@code location}: reads {@code _manifest.json} (asking
     * again, on an eventually consistent store, until {@code cairn.checkpoint.listing.timeout}),
     * refuses a newer format or a serializer or codec this process lacks, waits until the listing
     * shows every part at its size, and reads and checks {@code _partitioner}.
     *
     * @param storage  the storage backends of this process
     * @param location the checkpoint's own directory (the one holding {@code _manifest.json})
     * @param options  serializer options (they must match the writer's, e.g. {@code cairn.kryo.classes})
     *                 and listing waits
     * @throws CheckpointException naming the location and file when the checkpoint is missing,
     *                             uncommitted, incomplete, corrupt, of a newer format, or the store fails
     */
    public static CheckpointReader open(StorageRegistry storage, URI location, CairnOptions options) {
        URI loc = CheckpointLayout.normalize(location);
        Storage store = storage.storageFor(loc);
        CheckpointSettings settings = CheckpointSettings.from(options);
        CheckpointManifest manifest = CheckpointFiles.readManifest(store, loc, settings.waiter(), "at " + loc);
        String label = manifest.dataset() == null ? "at " + loc
                : manifest.dataset() + (manifest.contextId() == null ? "" : " of context " + manifest.contextId());
        try {
            Serializers.forName(manifest.serializer(), options);
            Compression compression = Compression.fromId(manifest.compression());
            compression.requireAvailable();
        } catch (CairnException e) {
            throw new IncompatibleCheckpointException("read", label, loc, CheckpointManifest.FILE_NAME, "expected a serializer and"
                    + " compression this process can read, found serializer '" + manifest.serializer() + "' and compression '"
                    + manifest.compression() + "': " + e.getMessage(), e);
        }
        ListingWaiter.Result listing = CheckpointFiles.awaitFiles(store, loc, manifest, false, settings.waiter(), label, "read");
        byte[] partitioner = CheckpointFiles.readPartitioner(store, loc, manifest, settings.waiter(), label);
        if (!listing.unexpected().isEmpty()) {
            LOG.warn("Checkpoint {} has files its manifest does not list (debris, not read): {}", loc, listing.unexpected());
        }
        return new CheckpointReader(loc, manifest, options, label, partitioner, listing.listings());
    }

    /**
     * Reads the manifest only, without waiting for the listing or reading {@code _partitioner}:
     * for tools that check every file themselves and report every problem, not just the first
     * (the command line's {@code verify}). Parts opened from it may turn out missing.
     *
     * @throws CheckpointException when there is no readable manifest
     */
    public static CheckpointReader openManifest(StorageRegistry storage, URI location, CairnOptions options) {
        URI loc = CheckpointLayout.normalize(location);
        Storage store = storage.storageFor(loc);
        CheckpointSettings settings = CheckpointSettings.from(options);
        CheckpointManifest manifest = CheckpointFiles.readManifest(store, loc, settings.waiter(), "at " + loc);
        String label = manifest.dataset() == null ? "at " + loc
                : manifest.dataset() + (manifest.contextId() == null ? "" : " of context " + manifest.contextId());
        return new CheckpointReader(loc, manifest, options, label, null, 0);
    }

    /** The checkpoint's directory. */
    public URI location() {
        return location;
    }

    /** Its manifest. */
    public CheckpointManifest manifest() {
        return manifest;
    }

    /** Its partition count (= part files). */
    public int numPartitions() {
        return manifest.numPartitions();
    }

    /** The dataset as messages show it: what the manifest names, or the location. */
    public String dataset() {
        return dataset;
    }

    /** The options it was opened with (serializer options, listing waits): workers open parts with the same. */
    public CairnOptions options() {
        return CairnOptions.of(options);
    }

    /** How many listings opening it took (more than one on an eventually consistent store that lagged). */
    public int listings() {
        return listings;
    }

    /**
     * The partitioner stored in {@code _partitioner}, deserialized on first use with the thread's
     * context class loader; empty when the checkpoint has none.
     *
     * @throws IncompatibleCheckpointException when its class is not on the class path
     */
    public Optional<Object> partitioner() {
        if (partitioner == null) {
            return Optional.empty();
        }
        Object p = partitionerObject;
        if (p == null) {
            p = CheckpointFiles.deserializePartitioner(partitioner, location, manifest.partitioner(), dataset);
            partitionerObject = p;
        }
        return Optional.of(p);
    }

    /**
     * Checks the partition count against what the caller expects, as Spark does after a checkpoint.
     *
     * @throws PartitionCountMismatchException with both counts
     */
    public void expectPartitions(int expected) {
        if (manifest.numPartitions() != expected) {
            throw new PartitionCountMismatchException("read", dataset, location, CheckpointManifest.FILE_NAME,
                    "expected " + expected + " partitions, found " + manifest.numPartitions(), null);
        }
    }

    /**
     * The records of one partition, verified as they are read (see {@link PartIterator}).
     *
     * @param storage   the storage backends of the calling process
     * @param partition 0 to {@link #numPartitions()} - 1
     * @throws CheckpointException naming the file when it is missing or cannot be opened
     */
    public <T> PartIterator<T> openPart(StorageRegistry storage, int partition) {
        if (partition < 0 || partition >= manifest.numPartitions()) {
            throw new CheckpointException("read", dataset, location, null, "expected a partition from 0 to "
                    + (manifest.numPartitions() - 1) + ", found " + partition, null);
        }
        return PartReader.open(storage.storageFor(location), location, manifest, partition, serializer(),
                Compression.fromId(manifest.compression()), dataset);
    }

    /**
     * Re-reads one part's bytes and checks its length and CRC32C (and, for formats 2 and 3, every
     * block) without decoding records.
     *
     * @throws CheckpointException naming the file: missing, corrupt or unreadable
     */
    public void verifyPart(StorageRegistry storage, int partition) {
        PartReader.verifyBytes(storage.storageFor(location), location, manifest, partition, dataset);
    }

    private Serializer serializer() {
        Serializer s = serializer;
        if (s == null) {
            s = Serializers.forName(manifest.serializer(), CairnOptions.of(options));
            serializer = s;
        }
        return s;
    }

    @Override
    public String toString() {
        return "CheckpointReader[" + location + ", " + dataset + ", " + manifest.numPartitions() + " parts]";
    }
}
