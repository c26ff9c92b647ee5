package dev.cairn.storage.s3;

import dev.cairn.storage.ListingConsistency;

/**
 * What an S3 store supports, as {@link S3Storage} found out by probing it on its first write
 * (option {@value S3StorageSettings#PROBE}) or, where a probe cannot tell, as configured.
 *
 * @param conditionalWrites    whether a PUT with {@code If-None-Match: *} over an existing object is refused
 *                             ({@code 412}): {@link Support#SUPPORTED}; accepted: {@link Support#IGNORED};
 *                             the header itself refused: {@link Support#REJECTED}
 * @param abortMultipartUpload whether AbortMultipartUpload works; {@link Support#REJECTED} means failed
 *                             uploads leave their parts stored and billed
 * @param crc32cChecksums      whether a PUT with a wrong {@code x-amz-checksum-crc32c} is refused
 * @param md5Checksums         whether a PUT with a wrong {@code Content-MD5} is refused
 * @param checksumSent         the request checksum uploads carry, after {@code auto} was resolved
 * @param storesBodiesExactly  whether the probe object was stored at the size sent (upload encoding as configured)
 * @param listing              listing consistency as configured ({@value S3StorageSettings#LISTING_CONSISTENCY}):
 *                             one probe cannot prove that listings never lag
 * @param chunkedEncoding      whether uploads may be sent {@code aws-chunked} ({@value S3StorageSettings#CHUNKED_ENCODING})
 */
public record S3StoreCapabilities(Support conditionalWrites, Support abortMultipartUpload, Support crc32cChecksums,
        Support md5Checksums, S3Checksum checksumSent, Support storesBodiesExactly, ListingConsistency listing,
        boolean chunkedEncoding) {

    /** One answer of the probe. */
    public enum Support {
        /** The store does it. */
        SUPPORTED,
        /** The store accepts the request but does not act on it (e.g. does not verify a checksum). */
        IGNORED,
        /** The store refuses the request (e.g. {@code 501 NotImplemented}, {@code 405}). */
        REJECTED,
        /** Not probed: the probe is off, or it could not run (its message is at DEBUG). */
        UNKNOWN;

        String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One line for the log. */
    String describe() {
        return "conditional writes " + conditionalWrites.text() + (conditionalWrites == Support.SUPPORTED
                ? " (no-overwrite PUTs send no HEAD check first)" : " (no-overwrite commits rely on a HEAD check)")
                + "; AbortMultipartUpload " + abortMultipartUpload.text() + (abortMultipartUpload == Support.REJECTED
                ? " (a failed upload leaves its parts billed: add a lifecycle rule AbortIncompleteMultipartUpload)" : "")
                + "; request checksums: CRC32C " + crc32cChecksums.text() + ", Content-MD5 " + md5Checksums.text() + ", sending "
                + checksumSent.id()
                + "; bodies stored " + (storesBodiesExactly == Support.SUPPORTED ? "byte for byte"
                : storesBodiesExactly == Support.UNKNOWN ? "(not probed)" : "ALTERED (see " + S3StorageSettings.CHUNKED_ENCODING + ")")
                + "; aws-chunked uploads " + (chunkedEncoding ? "on" : "off")
                + "; listings " + listing.name().toLowerCase(java.util.Locale.ROOT) + " (configured, " + S3StorageSettings.LISTING_CONSISTENCY
                + ")";
    }
}
