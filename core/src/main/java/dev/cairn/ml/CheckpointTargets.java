package dev.cairn.ml;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointLayout;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Marks a dataset for a reliable checkpoint in a directory other than its context's.
 *
 * <p>Core fixes a checkpoint's location when the dataset is marked, from the context's
 * checkpoint directory at that moment, and has no per-dataset override. So the mark is taken
 * with the context's directory switched to the wanted one and switched back right after. Only
 * the mark happens inside the switch (a lazy mark is cheap); an eager write completes the mark
 * afterwards. Marks taken by other threads of the same context during that instant would land
 * in the wanted directory too, which is why callers that share a context between threads
 * should give it the run directory as its checkpoint directory (then nothing is switched).
 */
final class CheckpointTargets {
    private CheckpointTargets() {
    }

    /**
     * Marks {@code dataset} for a checkpoint in {@code dir} ({@code null}: the context's
     * directory) and, for {@link CheckpointMode#EAGER}, writes it now.
     */
    static void mark(Dataset<?> dataset, CheckpointMode mode, Map<String, String> metadata, URI dir) {
        CairnContext context = dataset.context();
        if (dir == null || context.checkpointDir().equals(Optional.of(dir))) {
            dataset.checkpoint(mode, metadata);
            return;
        }
        synchronized (context) {
            Optional<URI> previous = context.checkpointDir();
            context.setCheckpointDir(dir);
            try {
                dataset.checkpoint(CheckpointMode.LAZY, metadata);
            } finally {
                // A context that had no directory keeps this one: core cannot unset it.
                previous.ifPresent(context::setCheckpointDir);
            }
        }
        if (mode == CheckpointMode.EAGER) {
            dataset.checkpoint(CheckpointMode.EAGER); // completes the mark taken above, metadata included
        }
    }

    /** A directory given as a URI or a local path, in the canonical form core compares locations in. */
    static URI toUri(String dir, String verb) {
        if (dir == null) {
            throw new CairnException("Cannot " + verb + ": (expected a directory, found null)");
        }
        if (dir.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            try {
                return normalize(new URI(dir));
            } catch (URISyntaxException e) {
                throw new CairnException("Cannot " + verb + ": " + dir + " (expected a URI such as file:///tmp/run or s3://bucket/run, found "
                        + e.getMessage() + ")", e);
            }
        }
        return normalize(Path.of(dir).toAbsolutePath().normalize().toUri());
    }

    /** The canonical form of a directory URI; a URI without a scheme is a local path. */
    static URI normalize(URI dir) {
        URI uri = dir.getScheme() == null ? Path.of(dir.getPath()).toAbsolutePath().normalize().toUri() : dir;
        return CheckpointLayout.normalize(uri);
    }
}
