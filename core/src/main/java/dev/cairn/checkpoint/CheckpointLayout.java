package dev.cairn.checkpoint;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Where a checkpoint's files go: {@code <checkpointDir>/<context-id>/dataset-<id>/part-NNNNN},
 * {@code _partitioner} and {@code _manifest.json}.
 */
public final class CheckpointLayout {
    private CheckpointLayout() {
    }

    /** The directory of one context's checkpoints. */
    public static URI contextDirectory(URI checkpointDir, String contextId) {
        return child(checkpointDir, contextId);
    }

    /** The directory of one dataset's checkpoint. */
    public static URI datasetDirectory(URI checkpointDir, String contextId, int datasetId) {
        return child(contextDirectory(checkpointDir, contextId), "dataset-" + datasetId);
    }

    /** {@code parent/name}, whatever trailing slash {@code parent} has. */
    public static URI child(URI parent, String name) {
        String path = parent.getPath() == null || parent.getPath().isEmpty() ? "/" : parent.getPath();
        String joined = path.endsWith("/") ? path + name : path + "/" + name;
        try {
            return new URI(parent.getScheme(), parent.getAuthority(), joined, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("cannot make a URI of " + parent + " and " + name, e);
        }
    }

    /** {@code location} without a trailing slash, so that it names the same directory however it was written. */
    public static URI normalize(URI location) {
        String path = location.getPath();
        if (path != null && path.length() > 1 && path.endsWith("/")) {
            try {
                return new URI(location.getScheme(), location.getAuthority(), path.substring(0, path.length() - 1), null, null);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return location;
    }
}
