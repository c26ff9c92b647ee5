package dev.cairn.storage.s3;

import java.nio.file.AccessDeniedException;

/**
 * The store refused a request with {@code 403}: the credentials in use may not do it. An I/O error
 * about permissions, never a sign of damaged data; like {@link S3StorageException} it names the
 * bucket, the key and the S3 error code, and is not retried.
 */
public class S3AccessDeniedException extends AccessDeniedException {
    private static final long serialVersionUID = 1L;
    private final String message;
    private final String bucket;
    private final String key;
    private final String errorCode;

    S3AccessDeniedException(String message, String uri, String bucket, String key, String errorCode, Throwable cause) {
        super(uri, null, message);
        this.message = message;
        this.bucket = bucket;
        this.key = key;
        this.errorCode = errorCode;
        initCause(cause);
    }

    /** The whole message, in Cairn's form (not {@link java.nio.file.FileSystemException}'s "file: reason"). */
    @Override
    public String getMessage() {
        return message;
    }

    /** The bucket. */
    public String bucket() {
        return bucket;
    }

    /** The key or key prefix. */
    public String key() {
        return key;
    }

    /** The HTTP status: 403. */
    public int statusCode() {
        return 403;
    }

    /** The S3 error code, e.g. {@code AccessDenied}. */
    public String errorCode() {
        return errorCode;
    }
}
