package dev.cairn.storage.s3;

/**
 * A commit whose object the store keeps at another size than was sent: not a slow store, but one
 * (or a proxy in front of it) that altered the body, most often by keeping the framing of an
 * {@code aws-chunked} upload as data. Thrown by the commit, after the object was removed again;
 * retrying with the same options fails the same way.
 */
public class S3StoredSizeException extends S3StorageException {
    private static final long serialVersionUID = 1L;
    private final long sentBytes;
    private final long storedBytes;

    S3StoredSizeException(S3Location location, long sentBytes, long storedBytes, S3StorageSettings settings) {
        super("Cannot commit " + location + ": " + location.describe() + " (expected the store to keep the " + sentBytes
                + " bytes sent, found " + storedBytes + " bytes stored; " + hint(sentBytes, storedBytes, settings)
                + "; the object was removed again)", location.bucket(), location.key(), null, 0, null);
        this.sentBytes = sentBytes;
        this.storedBytes = storedBytes;
    }

    private static String hint(long sent, long stored, S3StorageSettings s) {
        String options = "check " + S3StorageSettings.CHUNKED_ENCODING + " (now " + s.chunkedEncoding() + "; false sends plain bodies)"
                + " and " + S3StorageSettings.SDK_CHECKSUMS + " (now " + s.sdkChecksums().id() + "; when-required adds no checksum"
                + " trailers)";
        if (stored > sent) {
            return "the store at " + S3Storage.endpointName(s) + ", or a proxy in between, altered the body: most likely it kept the"
                    + " aws-chunked framing of the upload as data; " + options;
        }
        return "the store at " + S3Storage.endpointName(s) + ", or a proxy in between, kept less than was sent; " + options
                + ", and any proxy's body size limit";
    }

    /** The bytes the commit sent. */
    public long sentBytes() {
        return sentBytes;
    }

    /** The size the store reported for the object. */
    public long storedBytes() {
        return storedBytes;
    }
}
