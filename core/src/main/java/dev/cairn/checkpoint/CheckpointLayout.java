package dev.cairn.checkpoint;

import java.net.URI;

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

    /**
     * {@code parent/name}, whatever trailing slash {@code parent} has, in the canonical form of
     * {@link #normalize}. {@code name} is one path segment; characters outside the unreserved set
     * are percent-encoded.
     */
    public static URI child(URI parent, String name) {
        return URI.create(normalize(parent).toString() + "/" + encodeSegment(name));
    }

    /**
     * The canonical form of a location, so that one directory has one URI however it was written:
     * ASCII only (non-ASCII characters percent-encoded as UTF-8), {@code scheme:///path} rather than
     * {@code scheme:/path} when there is no authority, and no trailing slash.
     */
    public static URI normalize(URI location) {
        String s = location.toASCIIString();
        if (location.getScheme() != null && location.getRawAuthority() == null && location.getRawPath() != null
                && location.getRawPath().startsWith("/") && !s.startsWith(location.getScheme() + "://")) {
            s = location.getScheme() + "://" + location.getRawPath();
        }
        while (s.endsWith("/") && !s.endsWith("://")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    private static String encodeSegment(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
