package dev.cairn.storage.s3;

import java.io.IOException;

/**
 * A request the store refused for good: access denied, no such bucket, a request the store does
 * not implement, or a transient error that outlasted every retry. The message names the bucket,
 * the key and the S3 error code; the getters give the same facts to code. A missing object is
 * not this exception but a {@link java.nio.file.NoSuchFileException}, and a no-overwrite commit
 * that lost is a {@link java.nio.file.FileAlreadyExistsException}, as the storage SPI demands.
 */
public class S3StorageException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String bucket;
    private final String key;
    private final String errorCode;
    private final int statusCode;

    /**
     * @param message    the whole message
     * @param bucket     the bucket
     * @param key        the key or prefix
     * @param errorCode  the S3 error code, e.g. {@code AccessDenied}; {@code null} when no response came
     * @param statusCode the HTTP status; 0 when no response came
     * @param cause      the SDK's exception
     */
    public S3StorageException(String message, String bucket, String key, String errorCode, int statusCode, Throwable cause) {
        super(message, cause);
        this.bucket = bucket;
        this.key = key;
        this.errorCode = errorCode;
        this.statusCode = statusCode;
    }

    /** The bucket. */
    public String bucket() {
        return bucket;
    }

    /** The key or key prefix. */
    public String key() {
        return key;
    }

    /** The S3 error code, e.g. {@code NoSuchBucket}; {@code null} when the store never answered. */
    public String errorCode() {
        return errorCode;
    }

    /** The HTTP status, 0 when the store never answered. */
    public int statusCode() {
        return statusCode;
    }
}
