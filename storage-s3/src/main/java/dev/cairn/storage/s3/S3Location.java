package dev.cairn.storage.s3;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;

/**
 * A bucket and a key, parsed from or turned into an {@code s3://bucket/key} URI. The URI's path is
 * percent-encoded UTF-8; the key is the decoded path without its leading slash, so
 * {@code s3://b/dir%20x/%C3%BC} names key {@code dir x/ü}. Keys are never normalized ({@code .},
 * {@code ..} and double slashes are kept as they are), because S3 does not normalize them either.
 *
 * @param bucket the bucket name, as written in the URI's authority
 * @param key    the object key or key prefix, without a leading slash; empty for the bucket root
 */
record S3Location(String bucket, String key) {

    /**
     * Parses {@code s3://bucket/key}.
     *
     * @param verb what the caller was about to do, for the message
     * @throws IOException when the URI is not an {@code s3} URI with a bucket
     */
    static S3Location parse(URI uri, String verb) throws IOException {
        String scheme = uri.getScheme();
        if (scheme == null || !scheme.toLowerCase(Locale.ROOT).equals(S3StorageProvider.SCHEME)) {
            throw new IOException("Cannot " + verb + " " + uri + " (expected an s3://bucket/key URI, found scheme '" + scheme
                    + "'; this storage serves s3:// only)");
        }
        // The authority, not the host: bucket names with dots or underscores are not always valid host names.
        String bucket = uri.getRawAuthority();
        if (bucket == null || bucket.isEmpty() || uri.getRawUserInfo() != null || bucket.contains(":")) {
            throw new IOException("Cannot " + verb + " " + uri + " (expected a bucket name after s3://, found '" + bucket
                    + "'; write s3://bucket/prefix, and set the server with cairn.s3.endpoint, not in the URI)");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IOException("Cannot " + verb + " " + uri + " (expected no query or fragment, found '"
                    + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "#" + uri.getRawFragment())
                    + "'; percent-encode '?' and '#' in object names as %3F and %23)");
        }
        String path = uri.getPath();
        String key = path == null ? "" : path.startsWith("/") ? path.substring(1) : path;
        return new S3Location(bucket, key);
    }

    /** The key as a prefix that lists this location's children: empty for the root, else the key ending in {@code /}. */
    String directoryPrefix() {
        if (key.isEmpty() || key.endsWith("/")) {
            return key;
        }
        return key + "/";
    }

    /** The key without a trailing slash: the name of the object a file URI stands for. */
    String objectKey() {
        return key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    }

    /** {@code s3://bucket/key}, each key byte outside the unreserved set percent-encoded. */
    URI uri() {
        return toUri(bucket, key);
    }

    /** {@code s3://bucket/key} for a key as S3 returns it. */
    static URI toUri(String bucket, String key) {
        StringBuilder s = new StringBuilder(bucket.length() + key.length() + 8).append("s3://").append(bucket).append('/');
        for (byte b : key.getBytes(UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
                s.append((char) c);
            } else {
                s.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return URI.create(s.toString());
    }

    /** For messages: {@code bucket 'b', key 'k'}. */
    String describe() {
        return "bucket '" + bucket + "', key '" + key + "'";
    }

    @Override
    public String toString() {
        return uri().toString();
    }
}
