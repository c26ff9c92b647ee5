package dev.cairn;

import java.net.URI;

/**
 * The store could not be read from or written to: a network failure, a throttling or server
 * error, a refused permission, a missing bucket, a full disk. The checkpoint's data may well be
 * intact; nothing was judged corrupt. Trying again later (or after fixing the store's access) is
 * the remedy, which {@link #retryable()} hints at. The cause is the store's own error.
 */
public class CheckpointIOException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /** See {@link CheckpointException#CheckpointException(String, String, URI, String, String, Throwable)}. */
    public CheckpointIOException(String verb, String dataset, URI location, String file, String detail, Throwable cause) {
        super(verb, dataset, location, file, detail, cause);
    }

    /**
     * Whether the same call may succeed when tried again without any change: true unless the
     * store refused access or the target does not exist (a missing bucket, a denied permission).
     */
    public boolean retryable() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.AccessDeniedException || t instanceof java.nio.file.NotDirectoryException) {
                return false;
            }
        }
        return true;
    }
}
