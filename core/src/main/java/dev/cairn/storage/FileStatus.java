package dev.cairn.storage;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * What a listing or {@code stat} knows of one entry.
 *
 * @param location     the absolute URI of the entry (directories without a trailing slash)
 * @param length       bytes in a file; 0 for a directory
 * @param directory    whether the entry is a directory (or a common prefix on an object store)
 * @param modified     last modification time; {@link Instant#EPOCH} where the store does not know
 */
public record FileStatus(URI location, long length, boolean directory, Instant modified) {

    /** Validates the fields. */
    public FileStatus {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(modified, "modified");
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was: " + length);
        }
    }

    /** The last path segment: {@code part-00003} for {@code .../dataset-7/part-00003}. */
    public String name() {
        String path = location.getPath();
        if (path == null || path.isEmpty()) {
            return "";
        }
        if (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
