package dev.cairn.checkpoint;

import java.net.URI;

/**
 * Where a checkpoint's files go: {@code <checkpointDir>/<context-id>/dataset-<id>/part-NNNNN},
 * {@code _partitioner} and {@code _manifest.json}. With a prefix spread of {@code N}
 * ({@link CheckpointOptions#PREFIX_SPREAD}), part {@code i} goes one level down, to
 * {@code dataset-<id>/<pp>/part-NNNNN}, where {@code <pp>} ({@link #subPrefix}) is two hex digits
 * chosen by {@code i mod N}; {@code _partitioner} and {@code _manifest.json} stay where they are.
 * Readers find parts through the paths the manifest records, never by this rule.
 */
public final class CheckpointLayout {
    /** The largest prefix spread: sub-prefixes are two hex digits. */
    public static final int MAX_PREFIX_SPREAD = 256;

    private static final java.util.regex.Pattern SUB_PREFIX = java.util.regex.Pattern.compile("[0-9a-f]{2}");

    private CheckpointLayout() {
    }

    /**
     * The path of part {@code index} relative to the checkpoint directory: {@code part-NNNNN}
     * without a spread, {@code <pp>/part-NNNNN} with one.
     *
     * @param prefixSpread 0 (no spread) to {@link #MAX_PREFIX_SPREAD}
     */
    public static String partPath(int index, int prefixSpread) {
        if (prefixSpread < 0 || prefixSpread > MAX_PREFIX_SPREAD) {
            throw new IllegalArgumentException("prefix spread must be 0 to " + MAX_PREFIX_SPREAD + ", was: " + prefixSpread);
        }
        String name = CheckpointManifest.partName(index);
        return prefixSpread == 0 ? name : subPrefix(index % prefixSpread) + "/" + name;
    }

    /**
     * The sub-prefix of spread slot {@code slot} (0 to 255): two lowercase hex digits, a bijective
     * scramble of the slot, so that the slots of a small spread are scattered over the whole
     * {@code 00}..{@code ff} key range instead of packed at its start (S3 splits a busy prefix
     * into key ranges; scattered names give its splits more to separate, and the slots of
     * checkpoints with different spreads share the same split points).
     */
    public static String subPrefix(int slot) {
        if (slot < 0 || slot >= MAX_PREFIX_SPREAD) {
            throw new IllegalArgumentException("spread slot must be 0 to " + (MAX_PREFIX_SPREAD - 1) + ", was: " + slot);
        }
        int scrambled = ((slot * 0x9D) ^ 0xA5) & 0xFF; // multiplying by an odd number and xor are bijections mod 256
        return String.format("%02x", scrambled);
    }

    /** Whether {@code name} has the form of a sub-prefix directory of a spread checkpoint (two lowercase hex digits). */
    public static boolean isSubPrefix(String name) {
        return SUB_PREFIX.matcher(name).matches();
    }

    /**
     * Whether {@code path} is a part path this layout can produce for part {@code index}:
     * {@code part-NNNNN}, or {@code <pp>/part-NNNNN} with {@code <pp>} two lowercase hex digits.
     * A manifest's part paths come from whoever wrote the file: only these two forms are ever
     * resolved, so no path can leave the checkpoint directory.
     */
    public static boolean isPartPath(String path, int index) {
        String name = CheckpointManifest.partName(index);
        if (path.equals(name)) {
            return true;
        }
        return path.length() == name.length() + 3 && path.charAt(2) == '/' && path.endsWith(name)
                && isSubPrefix(path.substring(0, 2));
    }

    /**
     * The file at {@code relativePath} ({@code part-00003}, {@code 3c/part-00003}) under
     * {@code location}: each {@code /}-separated segment is one {@link #child} level.
     *
     * @throws IllegalArgumentException for an empty segment, {@code .} or {@code ..}, or a leading
     *                                  {@code /}: a path that could leave {@code location}
     */
    public static URI file(URI location, String relativePath) {
        URI at = location;
        for (String segment : relativePath.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("expected a relative path of plain names, found '" + relativePath + "'");
            }
            at = child(at, segment);
        }
        return at;
    }

    /**
     * The path of {@code file} relative to {@code location} ({@code 3c/part-00003}), or its last
     * segment when it does not lie under {@code location}.
     */
    public static String relativePath(URI location, URI file) {
        String base = normalize(location).getPath();
        String path = normalize(file).getPath();
        path = path == null ? "" : path;
        if (base != null && path.startsWith(base + "/")) {
            return path.substring(base.length() + 1);
        }
        return path.substring(path.lastIndexOf('/') + 1);
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
