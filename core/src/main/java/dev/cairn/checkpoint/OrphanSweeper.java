package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes checkpoint debris under a checkpoint directory: dataset directories without a
 * {@code _manifest.json} (writers that failed or were killed before their commit), and files in
 * committed checkpoints that their manifest does not list (temporary files of killed writers,
 * strays). Only entries whose newest file is older than a given age are touched, so a checkpoint
 * being written right now is left alone; committed checkpoints themselves are never deleted.
 *
 * <p>Walks {@code <checkpointDir>/<context-id>/dataset-<id>/}; other entries are left as they are.
 */
public final class OrphanSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(OrphanSweeper.class);

    private OrphanSweeper() {
    }

    /**
     * What a sweep found and did.
     *
     * @param deleted   directories and files deleted
     * @param committed committed checkpoints seen (and kept)
     * @param young     debris left because it is younger than the age
     */
    public record Report(List<URI> deleted, List<URI> committed, List<URI> young) {
    }

    /**
     * Sweeps {@code checkpointDir}.
     *
     * @param olderThan only debris whose newest file is older than this is deleted
     * @param skip      dataset directories never to touch (e.g. checkpoints in progress in this process)
     */
    public static Report sweep(Storage storage, URI checkpointDir, Duration olderThan, Predicate<URI> skip) {
        Instant cutoff = Instant.now().minus(olderThan);
        List<URI> deleted = new ArrayList<>();
        List<URI> committed = new ArrayList<>();
        List<URI> young = new ArrayList<>();
        try {
            for (FileStatus contextDir : storage.list(checkpointDir)) {
                if (!contextDir.directory()) {
                    continue;
                }
                for (FileStatus datasetDir : storage.list(contextDir.location())) {
                    if (!datasetDir.directory() || !datasetDir.name().startsWith("dataset-") || skip.test(datasetDir.location())) {
                        continue;
                    }
                    sweepDataset(storage, datasetDir.location(), cutoff, deleted, committed, young);
                }
            }
        } catch (IOException e) {
            throw new CairnException("Cannot sweep checkpoint directory " + checkpointDir + " (expected to list it, found an error: " + e + ")", e);
        }
        if (!deleted.isEmpty()) {
            LOG.info("Swept {}: deleted {} debris entries, kept {} committed checkpoints", checkpointDir, deleted.size(), committed.size());
        }
        return new Report(deleted, committed, young);
    }

    private static void sweepDataset(Storage storage, URI dir, Instant cutoff, List<URI> deleted, List<URI> committed, List<URI> young)
            throws IOException {
        List<FileStatus> files = storage.list(dir);
        FileStatus manifestFile = null;
        Instant newest = Instant.EPOCH;
        for (FileStatus f : files) {
            if (f.name().equals(CheckpointManifest.FILE_NAME)) {
                manifestFile = f;
            }
            if (f.modified().isAfter(newest)) {
                newest = f.modified();
            }
        }
        if (manifestFile == null) {
            if (!newest.isAfter(cutoff)) {
                storage.delete(dir);
                deleted.add(dir);
            } else {
                young.add(dir);
            }
            return;
        }
        committed.add(dir);
        CheckpointManifest manifest;
        try {
            manifest = CheckpointFiles.readManifest(storage, dir, new ListingWaiter(Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1)),
                    "at " + dir);
        } catch (CairnException e) {
            LOG.warn("Not sweeping {}: its manifest cannot be read ({})", dir, e.getMessage());
            return;
        }
        Set<String> listed = new HashSet<>();
        manifest.parts().forEach(p -> listed.add(p.name()));
        listed.add(CheckpointManifest.FILE_NAME);
        listed.add(CheckpointManifest.PARTITIONER_FILE);
        for (FileStatus f : files) {
            if (!listed.contains(f.name())) {
                if (!f.modified().isAfter(cutoff)) {
                    storage.delete(f.location());
                    deleted.add(f.location());
                } else {
                    young.add(f.location());
                }
            }
        }
    }
}
