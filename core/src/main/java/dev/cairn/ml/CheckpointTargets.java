package dev.cairn.ml;

import dev.cairn.CairnException;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointLayout;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Marks a dataset for a reliable checkpoint in a directory other than its context's.
 *
 * <p>The checkpoint's own directory is fixed when the dataset is marked:
 * {@code <dir>/<contextId>/dataset-<id>/}.
 */
final class CheckpointTargets {
    private CheckpointTargets() {
    }

    /**
     * Marks {@code dataset} for a checkpoint in {@code dir} ({@code null}: the context's
     * directory) and, for {@link CheckpointMode#EAGER}, writes it now.
     */
    static void mark(Dataset<?> dataset, CheckpointMode mode, Map<String, String> metadata, URI dir) {
        dataset.checkpoint(mode, metadata, dir);
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
