package dev.cairn;

import dev.cairn.checkpoint.CheckpointFiles;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointSettings;
import dev.cairn.checkpoint.CheckpointStats;
import dev.cairn.checkpoint.ListingWaiter;
import dev.cairn.checkpoint.LocalCheckpointDataset;
import dev.cairn.checkpoint.PartReader;
import dev.cairn.checkpoint.PartWriter;
import dev.cairn.checkpoint.ReliableCheckpointDataset;
import dev.cairn.exec.TaskContext;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint of one dataset, from the mark to the cut lineage: NONE → MARKED → IN_PROGRESS →
 * CHECKPOINTED.
 *
 * <p><b>Reliable.</b> While IN_PROGRESS, every task that computes a partition of the dataset
 * streams its records into the partition's part file as it hands them on (write-through), and
 * publishes the part when the partition ends; a task that stops early or fails discards its part.
 * After the action, {@link #finish()} computes the partitions no task completed (the same
 * write-through writes them), writes {@code _partitioner} and then {@code _manifest.json} (the
 * commit), waits for a listing that shows every part at its size, verifies the bytes, and cuts
 * the lineage: the dataset then reads from a {@link ReliableCheckpointDataset}. A failure before
 * the commit removes the parts and leaves the dataset as it was, lineage intact.
 *
 * <p><b>Local.</b> The dataset is persisted ({@code MEMORY_AND_DISK} unless already persisted),
 * so the block store keeps each partition as the first computation produces it;
 * {@link #finish()} computes missing blocks and cuts the lineage to a {@link LocalCheckpointDataset}.
 */
final class CheckpointData<T> {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointData.class);

    private final Dataset<T> dataset;
    private final CairnContext context;
    private final boolean reliable;
    private final CheckpointMode mode;
    private final Map<String, String> metadata;
    private final URI location;
    private final URI checkpointDir;
    private final Map<Integer, CheckpointManifest.Part> parts = new ConcurrentHashMap<>();
    private final Set<Integer> claimed = ConcurrentHashMap.newKeySet();
    private volatile CheckpointState state = CheckpointState.MARKED;
    private volatile Dataset<T> source;
    private volatile boolean dirty;
    private volatile long startNanos;
    /** Bumped by every abort, so a part finished by a task of an aborted attempt is not published into the next one. */
    private volatile int attempt;

    /**
     * @param dirty whether an earlier attempt of this dataset's checkpoint may have left files in its
     *              directory (the next attempt deletes them first)
     */
    CheckpointData(Dataset<T> dataset, boolean reliable, CheckpointMode mode, Map<String, String> metadata, URI checkpointDir,
                   boolean dirty) {
        this.dirty = dirty;
        this.dataset = dataset;
        this.context = dataset.context();
        this.reliable = reliable;
        this.mode = mode;
        this.metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata)); // keeps the caller's order
        this.checkpointDir = checkpointDir;
        this.location = reliable ? CheckpointLayout.datasetDirectory(checkpointDir, context.contextId(), dataset.id()) : null;
    }

    boolean reliable() {
        return reliable;
    }

    CheckpointState state() {
        return state;
    }

    URI location() {
        return location;
    }

    /** The dataset the lineage was cut to, once CHECKPOINTED. */
    Dataset<T> source() {
        return source;
    }

    private String label() {
        return dataset.toString();
    }

    private Storage storage() {
        return context.storage().storageFor(location);
    }

    private CheckpointSettings settings() {
        return context.checkpointSettings();
    }

    /** Starts writing: called when a job over the dataset begins, or by an eager checkpoint. */
    synchronized void begin() {
        if (state != CheckpointState.MARKED) {
            return;
        }
        if (reliable) {
            if (dirty) {
                // An earlier attempt of this same checkpoint failed; its directory is ours alone.
                deleteQuietly();
                dirty = false;
            }
            context.listeners().started(label(), location);
        }
        startNanos = System.nanoTime();
        state = CheckpointState.IN_PROGRESS;
    }

    /**
     * Wraps the records of a partition being computed so they are also written to its part file
     * (reliable checkpoints in progress only, and only by the first task to claim the partition).
     */
    Iterator<T> writeThrough(int partition, Iterator<T> records, TaskContext task) {
        if (!reliable || state != CheckpointState.IN_PROGRESS || parts.containsKey(partition) || !claimed.add(partition)) {
            return records;
        }
        String name = CheckpointManifest.partName(partition);
        int myAttempt = attempt;
        PartWriter writer;
        try {
            writer = new PartWriter(storage(), CheckpointLayout.child(location, name), name, context.serializer(), settings().compression());
        } catch (IOException | RuntimeException e) {
            claimed.remove(partition);
            throw new CheckpointException("write", label(), location, name, "expected to create the part file, found an error: " + e, e);
        }
        boolean[] published = {false};
        task.onCompletion(failure -> {
            if (!published[0]) {
                try {
                    writer.close();
                } catch (IOException e) {
                    LOG.debug("Cannot discard unfinished part {}/{}", location, name, e);
                }
                claimed.remove(partition);
            }
        });
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                boolean more = records.hasNext();
                if (!more && !published[0]) {
                    if (task.isStopped()) {
                        throw new CheckpointException("write", label(), location, name,
                                "expected the job to be running, found it failing; a task of a failed job publishes nothing", null);
                    }
                    if (myAttempt != attempt) {
                        throw new CheckpointException("write", label(), location, name,
                                "expected the attempt that started this part to be current, found it aborted; the part is discarded", null);
                    }
                    try {
                        CheckpointManifest.Part part = writer.commit();
                        published[0] = true;
                        parts.put(partition, part);
                        context.listeners().partWritten(label(), location, part);
                    } catch (IOException e) {
                        throw new CheckpointException("write", label(), location, name, "expected to publish the part with "
                                + writer.records() + " records, found an error: " + e, e);
                    }
                }
                return more;
            }

            @Override
            public T next() {
                if (task.isStopped()) {
                    throw new CheckpointException("write", label(), location, name,
                            "expected the job to be running, found it failing; the part is discarded", null);
                }
                T record = records.next();
                try {
                    writer.write(record);
                } catch (IOException | RuntimeException e) {
                    throw new CheckpointException("write", label(), location, name, "expected to write record " + writer.records()
                            + " of partition " + partition + ", found an error: " + e, e);
                }
                return record;
            }
        };
    }

    /** Completes the checkpoint after the action that wrote through it; no-op when already done. */
    synchronized void finish() {
        if (state == CheckpointState.CHECKPOINTED) {
            return;
        }
        begin();
        try {
            if (reliable) {
                finishReliable();
            } else {
                finishLocal();
            }
        } catch (RuntimeException e) {
            abort(e);
            throw e;
        }
    }

    private int[] missingPartitions(java.util.function.IntPredicate have) {
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < dataset.numPartitions(); p++) {
            if (!have.test(p)) {
                missing.add(p);
            }
        }
        return missing.stream().mapToInt(Integer::intValue).toArray();
    }

    private void computeAll(int[] partitions) {
        if (partitions.length == 0) {
            return;
        }
        // Straight to the engine: the caller's job hooks must not finish this checkpoint again.
        context.engine().runJob(dataset, partitions, (it, tc) -> {
            while (it.hasNext()) {
                it.next();
            }
            return null;
        });
    }

    private void finishLocal() {
        computeAll(missingPartitions(p -> context.engine().blockStore().contains(dataset.id(), p)));
        source = new LocalCheckpointDataset<>(context, label(), dataset.numPartitions(), dataset.partitioner().orElse(null));
        state = CheckpointState.CHECKPOINTED;
        dataset.clearDependencies();
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        LOG.info("Locally checkpointed {}: {} partitions in the block store at {}, in {} ms", label(), dataset.numPartitions(),
                dataset.storageLevel().orElse(StorageLevel.MEMORY_AND_DISK), took.toMillis());
        context.listeners().verified(label(), null, new CheckpointStats(label(), null, dataset.numPartitions(), -1, -1, took,
                Duration.ZERO, 0));
    }

    private void finishReliable() {
        computeAll(missingPartitions(parts::containsKey));
        int n = dataset.numPartitions();
        List<CheckpointManifest.Part> ordered = new ArrayList<>(n);
        for (int p = 0; p < n; p++) {
            CheckpointManifest.Part part = parts.get(p);
            if (part == null) {
                throw new MissingPartException("commit", label(), location, CheckpointManifest.partName(p),
                        "expected every partition to be written before the commit, found this one unwritten", null);
            }
            ordered.add(part);
        }
        Storage storage = storage();
        Partitioner partitioner = dataset.partitioner().orElse(null);
        long partitionerCrc = partitioner == null ? 0 : CheckpointFiles.writePartitioner(storage, location, partitioner, label());
        CheckpointManifest manifest = new CheckpointManifest(CheckpointManifest.FORMAT_VERSION, dataset.id(), dataset.name().orElse(null),
                label(), context.appName(), context.contextId(), n, ordered, context.serializer().name(), settings().compression().id(),
                Instant.now(), partitioner == null ? null : partitioner.getClass().getName(), partitionerCrc, metadata);
        CheckpointFiles.writeManifest(storage, location, manifest, label());
        Duration writeTime = Duration.ofNanos(System.nanoTime() - startNanos);
        context.checkpointCommitted(dataset, checkpointDir, location);
        context.listeners().committed(label(), location, manifest);

        // Committed. From here on a failure leaves the files in place: they are a valid checkpoint
        // that a later readCheckpoint may still read once the store shows them.
        long verifyStart = System.nanoTime();
        ListingWaiter.Result listing;
        CheckpointManifest reloaded;
        try {
            // Wait until the store lists every file written, the manifest too, at its size: on an eventual
            // store that is what a reader needs, and a timeout names exactly what is not visible yet.
            // The manifest's presence is awaited, not its size: its content is what the read-back below checks.
            listing = CheckpointFiles.awaitFiles(storage, location, manifest, true, settings().waiter(), label(), "reload");
            // Then reload as any reader would: the manifest from the store, checked against the dataset.
            reloaded = CheckpointFiles.readManifest(storage, location, settings().waiter(), label());
            if (reloaded.numPartitions() != n) {
                throw new PartitionCountMismatchException("reload", label(), location, CheckpointManifest.FILE_NAME,
                        "expected " + n + " partitions as the original dataset has, found " + reloaded.numPartitions(), null);
            }
            if (!reloaded.parts().equals(manifest.parts())) {
                CheckpointFiles.awaitFiles(storage, location, reloaded, settings().waiter(), label(), "reload");
            }
            if (settings().verifyChecksums()) {
                List<CheckpointManifest.Part> listed = reloaded.parts();
                context.engine().runParallel(n, p -> PartReader.verifyBytes(storage, location, listed.get(p), label()));
            }
        } catch (RuntimeException e) {
            // The files stay (a reader may still use them once the store shows them), but this
            // attempt is over: a retry deletes them and writes every part again.
            resetForRetry();
            context.listeners().failed(label(), location, e);
            throw e;
        }
        if (!listing.unexpected().isEmpty()) {
            LOG.warn("Checkpoint {} of {} has files its manifest does not list (debris, not read): {}", location, label(),
                    listing.unexpected());
        }
        source = new ReliableCheckpointDataset<>(context, location, reloaded, partitioner, storage, context.serializer(),
                settings().compression(), label());
        state = CheckpointState.CHECKPOINTED;
        dataset.clearDependencies();
        CheckpointStats stats = new CheckpointStats(label(), location, n, manifest.totalRecords(), manifest.totalBytes(), writeTime,
                Duration.ofNanos(System.nanoTime() - verifyStart), listing.listings());
        LOG.info(stats.summary());
        context.listeners().verified(label(), location, stats);
    }

    /** Undoes an attempt that failed before its commit: removes its parts; the dataset keeps its lineage. */
    synchronized void abort(Throwable cause) {
        if (state != CheckpointState.IN_PROGRESS) {
            return; // committed-but-unverified attempts were handled in finishReliable
        }
        resetForRetry();
        if (reliable) {
            deleteQuietly();
            context.listeners().failed(label(), location, cause);
            LOG.warn("Checkpoint of {} to {} failed and was removed; the dataset keeps its lineage: {}", label(), location,
                    cause.toString());
        }
    }

    /** Back to MARKED (lazy) or NONE (eager) with nothing written, so that the next attempt starts over. */
    private void resetForRetry() {
        attempt++;
        state = mode == CheckpointMode.EAGER ? CheckpointState.NONE : CheckpointState.MARKED;
        parts.clear();
        claimed.clear();
        dirty = reliable;
    }

    /** Whether an attempt failed and may have left files behind. */
    boolean dirty() {
        return dirty;
    }

    private void deleteQuietly() {
        try {
            storage().delete(location);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot remove the parts of failed checkpoint {}: {}", location, e.toString());
        }
    }
}
