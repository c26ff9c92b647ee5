package dev.cairn.checkpoint;

import dev.cairn.CheckpointException;
import dev.cairn.CheckpointIOException;
import dev.cairn.MissingPartException;
import dev.cairn.PartitionCountMismatchException;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner's side of one checkpoint write: it prepares the location, commits the parts that
 * tasks wrote (from their {@link PartReceipt}s) by writing {@code _manifest.json} last, reloads
 * and verifies the result, or aborts. Tasks anywhere write the parts with {@link PartWriter} and
 * a copy of {@link #spec()}.
 *
 * <pre>{@code
 * CheckpointWriter writer = CheckpointWriter.create(storage, spec);
 * // in each task, anywhere:  try (PartWriter part = PartWriter.open(storage, spec, p)) { ...; return part.commit(); }
 * CheckpointManifest manifest = writer.commit(receipts, numPartitions, partitioner, metadata);
 * CheckpointReader reader = writer.reload();        // listing wait, manifest read back, count check, verification
 * }</pre>
 *
 * <p>Commit protocol: every part is published (atomically, without overwrite) before the commit
 * starts; the commit writes {@code _partitioner}, then {@code _manifest.json} without overwrite:
 * its presence is the commit, and a location is committed once. A failure before the manifest is
 * written commits nothing; {@link #abort()} then removes the parts.
 *
 * <p>Thread-safe.
 */
public final class CheckpointWriter {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWriter.class);
    private static final int VERIFY_THREADS = 8;

    private final StorageRegistry registry;
    private final Storage storage;
    private final CheckpointSpec spec;
    private volatile CheckpointManifest committed;

    private CheckpointWriter(StorageRegistry registry, CheckpointSpec spec) {
        this.registry = registry;
        this.storage = registry.storageFor(spec.location());
        this.spec = spec;
    }

    /**
     * Prepares a write at {@code spec.location()}: refuses a location that holds a committed
     * checkpoint, and removes uncommitted debris there (Cairn's files of a writer that failed or
     * was killed before its commit; anything else stays).
     *
     * @throws CheckpointException   naming the location when a checkpoint is committed there
     * @throws CheckpointIOException when the store fails
     */
    public static CheckpointWriter create(StorageRegistry storage, CheckpointSpec spec) {
        CheckpointWriter writer = new CheckpointWriter(storage, spec);
        writer.prepare();
        return writer;
    }

    private void prepare() {
        URI location = spec.location();
        try {
            FileStatus manifest = storage.stat(CheckpointLayout.child(location, CheckpointManifest.FILE_NAME));
            throw new CheckpointException("write", spec.dataset(), location, CheckpointManifest.FILE_NAME,
                    "expected a location without a committed checkpoint, found one committed at " + manifest.modified()
                            + "; choose another location, or delete that checkpoint first", null);
        } catch (NoSuchFileException e) {
            // free: nothing committed here
        } catch (IOException e) {
            throw new CheckpointIOException("write", spec.dataset(), location, CheckpointManifest.FILE_NAME,
                    "expected to check whether the location holds a committed checkpoint, found an error: " + e, e);
        }
        List<FileStatus> debris = ListingWaiter.list(storage, location, spec.dataset(), "write");
        if (!debris.isEmpty()) {
            LOG.info("Removing {} entries an uncommitted checkpoint left at {} before writing there", debris.size(), location);
            removeCairnFiles(storage, location, spec.dataset(), "write");
        }
    }

    /** The spec tasks open their parts with. */
    public CheckpointSpec spec() {
        return spec;
    }

    /** {@link PartWriter#open} with this writer's storage and spec. */
    public PartWriter openPart(int partition) {
        return PartWriter.open(registry, spec, partition);
    }

    /**
     * Commits the checkpoint: checks that the receipts name each partition once, writes
     * {@code _partitioner} and then {@code _manifest.json}.
     *
     * @param receipts      one per partition; identical duplicates (two attempts of a partition
     *                      that both reported the published file) collapse into one
     * @param numPartitions the dataset's partition count
     * @param partitioner   written to {@code _partitioner} with Java serialization, or {@code null}
     * @param metadata      free entries for the manifest
     * @return the manifest written
     * @throws MissingPartException     naming the first partition without a receipt
     * @throws CheckpointException      for a receipt of another write or conflicting receipts
     * @throws CheckpointIOException    when the store fails (nothing is committed)
     */
    public CheckpointManifest commit(Collection<PartReceipt> receipts, int numPartitions, Serializable partitioner,
                                     Map<String, String> metadata) {
        URI location = spec.location();
        if (numPartitions < 0) {
            throw new CheckpointException("commit", spec.dataset(), location, null, "expected a partition count >= 0, found "
                    + numPartitions, null);
        }
        PartReceipt[] byPartition = new PartReceipt[numPartitions];
        for (PartReceipt r : receipts) {
            if (!spec.writerId().equals(r.writerId())) {
                throw new CheckpointException("commit", spec.dataset(), location, r.file(), "expected receipts of write "
                        + spec.writerId() + ", found one of write " + r.writerId() + " (a receipt of another checkpoint)", null);
            }
            if (r.partition() < 0 || r.partition() >= numPartitions) {
                throw new CheckpointException("commit", spec.dataset(), location, r.file(), "expected partitions 0 to "
                        + (numPartitions - 1) + ", found a receipt for partition " + r.partition(), null);
            }
            PartReceipt previous = byPartition[r.partition()];
            if (previous != null && !previous.equals(r)) {
                throw new CheckpointException("commit", spec.dataset(), location, r.file(), "expected one part per partition,"
                        + " found two different receipts for partition " + r.partition() + ": " + previous + " and " + r, null);
            }
            byPartition[r.partition()] = r;
        }
        List<CheckpointManifest.Part> parts = new ArrayList<>(numPartitions);
        for (int p = 0; p < numPartitions; p++) {
            if (byPartition[p] == null) {
                throw new MissingPartException("commit", spec.dataset(), location, spec.partPath(p),
                        "expected every partition to be written before the commit, found no receipt for partition " + p, null);
            }
            parts.add(byPartition[p].part());
        }
        long partitionerCrc = 0;
        if (partitioner != null) {
            byte[] data = CheckpointFiles.serializePartitioner(partitioner, location, spec.dataset());
            partitionerCrc = CheckpointFiles.writePartitioner(storage, location, data, spec.dataset());
        }
        int spread = spec.settings().prefixSpread();
        for (int p = 0; p < numPartitions; p++) {
            String path = spec.partPath(p);
            if (!parts.get(p).name().equals(path)) {
                throw new CheckpointException("commit", spec.dataset(), location, parts.get(p).name(), "expected the receipt of partition "
                        + p + " to name " + path + " (prefix spread " + spread + "), found " + parts.get(p).name()
                        + "; every task must write with the same " + CheckpointOptions.PREFIX_SPREAD + " as the spec", null);
            }
        }
        CheckpointManifest manifest = new CheckpointManifest(CheckpointManifest.formatVersionFor(spread), spec.datasetId(),
                spec.datasetName(), spec.dataset(), spec.appName(), spec.contextId(), numPartitions, parts, spec.serializer(),
                spec.compression(), Instant.now(), partitioner == null ? null : partitioner.getClass().getName(), partitionerCrc,
                metadata, CheckpointManifest.DEFAULT_BLOCK_SIZE, spread);
        CheckpointFiles.writeManifest(storage, location, manifest, spec.dataset());
        committed = manifest;
        return manifest;
    }

    /** The manifest written by {@link #commit}, or {@code null} before it. */
    public CheckpointManifest committedManifest() {
        return committed;
    }

    /**
     * Reloads the committed checkpoint as any reader would, and verifies it: waits until the store
     * lists every file the manifest names (the manifest too) at its size, reads the manifest back,
     * checks the partition count against the committed one, and, with
     * {@code cairn.checkpoint.verify=checksum}, re-reads every part's bytes and checks length and
     * CRC32C. The default, {@code auto}, re-reads only where the storage says a read may come from
     * another copy than the writer's ({@link Storage#readsBackFromWriterCache()} false: S3, HDFS,
     * stores Cairn does not know); on {@code file://} and {@code memory://} it checks the listed
     * sizes, as {@code size} does, and every later read checks the CRC32C before it decodes. A
     * failure here leaves the files in place: the checkpoint is committed, and a later read may
     * succeed once the store shows it.
     *
     * @return a reader of the checkpoint
     * @throws IllegalStateException before {@link #commit}
     */
    public CheckpointReader reload() {
        CheckpointManifest manifest = committed;
        if (manifest == null) {
            throw new IllegalStateException("Cannot reload checkpoint " + spec.location() + " before its commit");
        }
        URI location = spec.location();
        CheckpointSettings settings = spec.settings();
        ListingWaiter.Result listing = CheckpointFiles.awaitFiles(storage, location, manifest, true, settings.waiter(),
                spec.dataset(), "reload");
        CheckpointManifest reloaded = CheckpointFiles.readManifest(storage, location, settings.waiter(), spec.dataset());
        if (reloaded.numPartitions() != manifest.numPartitions()) {
            throw new PartitionCountMismatchException("reload", spec.dataset(), location, CheckpointManifest.FILE_NAME,
                    "expected " + manifest.numPartitions() + " partitions as the original dataset has, found " + reloaded.numPartitions(), null);
        }
        if (!reloaded.parts().equals(manifest.parts())) {
            listing = CheckpointFiles.awaitFiles(storage, location, reloaded, false, settings.waiter(), spec.dataset(), "reload");
        }
        if (!listing.unexpected().isEmpty()) {
            LOG.warn("Checkpoint {} of {} has files its manifest does not list (debris, not read): {}", location, spec.dataset(),
                    listing.unexpected());
        }
        byte[] partitioner = CheckpointFiles.readPartitioner(storage, location, reloaded, settings.waiter(), spec.dataset());
        if (settings.verify().rereadsOn(storage)) {
            verifyAll(reloaded);
        }
        return new CheckpointReader(location, reloaded, spec.options(), spec.dataset(), partitioner, listing.listings());
    }

    private void verifyAll(CheckpointManifest manifest) {
        int n = manifest.numPartitions();
        if (n == 0) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(n, VERIFY_THREADS), r -> {
            Thread t = new Thread(r, "cairn-verify");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> results = new ArrayList<>(n);
            for (int p = 0; p < n; p++) {
                final int partition = p;
                results.add(pool.submit(() -> PartReader.verifyBytes(storage, spec.location(), manifest, partition, spec.dataset())));
            }
            RuntimeException first = null;
            for (Future<?> f : results) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    RuntimeException cause = e.getCause() instanceof RuntimeException re ? re
                            : new CheckpointException("verify", spec.dataset(), spec.location(), null, "expected every part to verify,"
                            + " found " + e.getCause(), e.getCause());
                    if (first == null) {
                        first = cause;
                    } else {
                        first.addSuppressed(cause);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CheckpointException("verify", spec.dataset(), spec.location(), null,
                            "expected to verify every part, found the thread interrupted", e);
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Gives the write up: removes Cairn's files at the location unless a manifest was committed
     * there (a committed checkpoint is never removed by an abort); files Cairn does not write are
     * left. Idempotent.
     *
     * @throws CheckpointIOException when the store cannot remove the files; the message names the
     *                               location, so the caller can report what is left
     */
    public void abort() {
        URI location = spec.location();
        try {
            storage.stat(CheckpointLayout.child(location, CheckpointManifest.FILE_NAME));
            LOG.warn("Not removing checkpoint {} of {}: it is committed", location, spec.dataset());
            return;
        } catch (NoSuchFileException e) {
            // uncommitted: remove it
        } catch (IOException e) {
            throw new CheckpointIOException("abort", spec.dataset(), location, CheckpointManifest.FILE_NAME,
                    "expected to check whether the checkpoint is committed before removing it, found an error: " + e, e);
        }
        removeCairnFiles(storage, location, spec.dataset(), "abort");
    }

    /**
     * Deletes the checkpoint at {@code location}, committed or not: {@code _manifest.json} first,
     * so that a deletion cut short never leaves something that looks committed, then Cairn's
     * files, those in the sub-prefix directories of a spread checkpoint included. Files Cairn does not
     * write, and other sub-directories, are left in place (then so is the directory). Nothing there is fine. Whether a reader still needs the files is the caller's
     * to know.
     *
     * @throws CheckpointIOException when the store fails; what is left is then uncommitted debris
     */
    public static void delete(StorageRegistry storage, URI location) {
        URI loc = CheckpointLayout.normalize(location);
        Storage store = storage.storageFor(loc);
        try {
            store.delete(CheckpointLayout.child(loc, CheckpointManifest.FILE_NAME));
        } catch (IOException e) {
            throw new CheckpointIOException("delete", "at " + loc, loc, CheckpointManifest.FILE_NAME, "expected the store to delete"
                    + " the manifest, found an error: " + e + "; the checkpoint is still committed", e);
        }
        removeCairnFiles(store, loc, "at " + loc, "delete");
    }

    /**
     * Removes Cairn's files at {@code location}: the whole directory when nothing else is there,
     * else Cairn's files one by one (those in the sub-prefix directories of a spread checkpoint
     * too, and then each sub-prefix directory left empty), leaving files Cairn does not write and
     * other sub-directories.
     */
    private static void removeCairnFiles(Storage store, URI location, String dataset, String verb) {
        try {
            List<FileStatus> there = store.list(location);
            CheckpointScanner.Contents contents = CheckpointScanner.contents(store, location, there, verb);
            List<FileStatus> others = new ArrayList<>(contents.directories());
            contents.files().stream().filter(f -> !CheckpointScanner.isCairnFile(f.name())).forEach(others::add);
            if (others.isEmpty()) {
                store.delete(location);
                return;
            }
            for (FileStatus f : contents.files()) {
                if (CheckpointScanner.isCairnFile(f.name())) {
                    store.delete(f.location());
                }
            }
            for (FileStatus sub : contents.subPrefixes()) {
                if (store.list(sub.location()).isEmpty()) {
                    store.delete(sub.location());
                }
            }
            LOG.info("Removed Cairn's files at {} and kept what Cairn did not write there: {}", location,
                    others.stream().map(f -> CheckpointLayout.relativePath(location, f.location())).toList());
        } catch (IOException e) {
            throw new CheckpointIOException(verb, dataset, location, null, "expected to remove Cairn's files, found an error: " + e
                    + "; what is left is debris a sweep removes", e);
        }
    }
}
