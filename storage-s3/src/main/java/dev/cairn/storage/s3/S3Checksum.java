package dev.cairn.storage.s3;

import java.util.Locale;

/**
 * Which checksum each upload request carries, so that the store itself rejects bytes damaged on
 * the way ({@code BadDigest}) instead of storing them. This is on top of Cairn's own CRC32C of
 * every part, which the manifest records and every read verifies whatever is chosen here.
 */
public enum S3Checksum {
    /**
     * {@link #CRC32C}, and {@link #MD5} from the first request a store rejects as not implemented
     * on (S3Proxy and older gateways answer {@code 501 NotImplemented} to the
     * {@code x-amz-checksum-*} headers). The switch is logged once at WARN.
     */
    AUTO,
    /**
     * {@code x-amz-checksum-crc32c} on every PUT and part upload (and the multipart upload created
     * for CRC32C, so AWS also checks the parts on completion). AWS S3 and MinIO verify it.
     */
    CRC32C,
    /** {@code Content-MD5} on every PUT and part upload: the oldest S3 integrity check, which every S3-compatible store verifies. */
    MD5,
    /** No per-request checksum: only TLS (for {@code https} endpoints) and Cairn's CRC32C at read time. */
    NONE;

    /** The option value: lower case. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses an option value (any case). */
    static S3Checksum fromId(String key, String value) {
        for (S3Checksum c : values()) {
            if (c.id().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw S3StorageSettings.invalid(key, value, "auto, crc32c, md5 or none");
    }
}
