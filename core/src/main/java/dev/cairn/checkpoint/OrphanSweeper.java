package dev.cairn.checkpoint;

import dev.cairn.CheckpointIOException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes checkpoint debris under a directory, from a {@link CheckpointScanner} scan: uncommitted
 * checkpoints (writers that failed or were killed before their commit) and Cairn's files that a
 * committed checkpoint's manifest does not list (temporary files of killed writers, strays). Only
 * debris last modified longer ago than a given age is touched, so a checkpoint being written
 * right now is left alone; committed checkpoints and files Cairn does not write are never
 * deleted.
 */
public final class OrphanSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanSweeper.class);

    private OrphanSweeper() {
    }

    /**
     * What a sweep found and did.
     *
     * @param deleted   checkpoint directories and files deleted (or, in a dry run, to delete)
     * @param committed committed checkpoints seen (and kept)
     * @param young     debris left because it is younger than the age
     */
    public record Report(List<URI> deleted, List<URI> committed, List<URI> young) {

        /** Copies the lists. */
        public Report {
            deleted = List.copyOf(deleted);
            committed = List.copyOf(committed);
            young = List.copyOf(young);
        }
    }

    /**
     * Sweeps {@code directory}.
     *
     * @param olderThan only debris whose newest file is older than this is deleted
     * @param skip      checkpoint locations never to touch (e.g. checkpoints being written in this process)
     * @param dryRun    report what would be deleted, delete nothing
     * @throws CheckpointIOException when the store fails
     */
    public static Report sweep(StorageRegistry storage, URI directory, CairnOptions options, Duration olderThan, Predicate<URI> skip,
                               boolean dryRun) {
        CheckpointScanner.Scan scan = CheckpointScanner.scan(storage, directory, options);
        Storage store = storage.storageFor(scan.directory());
        List<URI> deleted = new ArrayList<>();
        List<URI> committed = new ArrayList<>();
        List<URI> young = new ArrayList<>();
        for (CheckpointScanner.Entry e : scan.entries()) {
            if (skip.test(e.location())) {
                continue;
            }
            if (e.committed()) {
                committed.add(e.location());
                for (FileStatus f : e.strays()) {
                    if (f.modified().isAfter(java.time.Instant.now().minus(olderThan))) {
                        young.add(f.location());
                    } else {
                        delete(store, f.location(), dryRun, e, "stray file");
                        deleted.add(f.location());
                    }
                }
            } else if (e.age().compareTo(olderThan) < 0) {
                young.add(e.location());
            } else if (e.foreign().isEmpty()) {
                delete(store, e.location(), dryRun, e, "uncommitted checkpoint");
                deleted.add(e.location());
            } else {
                for (FileStatus f : e.strays()) {
                    delete(store, f.location(), dryRun, e, "file of uncommitted checkpoint");
                    deleted.add(f.location());
                }
                LOG.info("Kept {} files Cairn does not write in uncommitted checkpoint {}: {}", e.foreign().size(), e.location(),
                        e.foreign().stream().map(FileStatus::name).toList());
            }
        }
        if (!deleted.isEmpty() && !dryRun) {
            LOG.info("Swept {}: deleted {} debris entries, kept {} committed checkpoints", scan.directory(), deleted.size(),
                    committed.size());
        }
        return new Report(deleted, committed, young);
    }

    private static void delete(Storage store, URI target, boolean dryRun, CheckpointScanner.Entry entry, String what) {
        if (dryRun) {
            return;
        }
        try {
            store.delete(target);
            LOG.info("Removed {} {}", what, target);
        } catch (IOException e) {
            throw new CheckpointIOException("sweep", "at " + entry.location(), entry.location(), null,
                    "expected to delete debris " + target + ", found an error: " + e, e);
        }
    }
}
