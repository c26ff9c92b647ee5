package dev.cairn.storage.s3;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Turns the SDK's exceptions into the {@link IOException}s the storage SPI promises, with messages
 * in Cairn's form: "Cannot <verb> <uri>: <bucket, key> (<expected>, found <S3 error>; <hint>)".
 * The SDK has retried whatever its retry strategy deems transient before any of this runs.
 */
final class S3Errors {
    private S3Errors() {
    }

    /** Whether {@code e} is an answer, not a failure to get one. */
    static boolean isService(SdkException e) {
        return e instanceof AwsServiceException;
    }

    /** The HTTP status of a service error, else 0. */
    static int status(SdkException e) {
        return e instanceof AwsServiceException ? ((AwsServiceException) e).statusCode() : 0;
    }

    /** The S3 error code of a service error ({@code NoSuchKey}, {@code AccessDenied}...), or a stand-in for body-less answers. */
    static String code(SdkException e) {
        if (!(e instanceof AwsServiceException)) {
            return null;
        }
        AwsServiceException ase = (AwsServiceException) e;
        AwsErrorDetails details = ase.awsErrorDetails();
        String code = details == null ? null : details.errorCode();
        if (code != null && !code.isEmpty()) {
            return code;
        }
        // HEAD answers carry no body, hence no code: name the status the way S3 would.
        switch (ase.statusCode()) {
            case 301:
                return "PermanentRedirect";
            case 403:
                return "AccessDenied";
            case 404:
                return "NotFound";
            case 412:
                return "PreconditionFailed";
            default:
                return "HTTP" + ase.statusCode();
        }
    }

    /** Whether {@code e} says the object is missing (not the bucket). */
    static boolean isMissingObject(SdkException e) {
        if (e instanceof NoSuchKeyException) {
            return true;
        }
        String code = code(e);
        return status(e) == 404 && ("NoSuchKey".equals(code) || "NotFound".equals(code));
    }

    /**
     * The IOException for a failed request.
     *
     * @param verb     what was being done: {@code read}, {@code stat}, {@code list}, {@code commit}, ...
     * @param location what it was done to
     * @param expected what a successful answer would have been, for the message
     * @param e        the SDK's failure
     */
    static IOException translate(String verb, S3Location location, String expected, SdkException e) {
        String uri = location.uri().toString();
        if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
            InterruptedIOException ie = new InterruptedIOException("Cannot " + verb + " " + uri + ": " + location.describe()
                    + " (expected " + expected + ", found the thread interrupted)");
            ie.initCause(e);
            return ie;
        }
        if (!(e instanceof AwsServiceException)) {
            // S3Storage.call() has put the endpoint, the operation and the time spent into the message.
            return new S3StorageException("Cannot " + verb + " " + uri + ": " + location.describe() + " (expected " + expected
                    + ", found " + e.getMessage() + "; check " + S3StorageSettings.ENDPOINT + " and the network, or raise "
                    + S3StorageSettings.API_CALL_TIMEOUT + ", " + S3StorageSettings.SOCKET_TIMEOUT + " and " + S3StorageSettings.MAX_ATTEMPTS
                    + ")", location.bucket(), location.key(), null, 0, e);
        }
        AwsServiceException ase = (AwsServiceException) e;
        String code = code(e);
        int status = ase.statusCode();
        String found = "S3 error " + code + " (HTTP " + status + (ase.requestId() == null ? "" : ", request id " + ase.requestId()) + ")"
                + (message(ase).isEmpty() ? "" : ": " + message(ase));
        if (isMissingObject(e)) {
            NoSuchFileException missing = new NoSuchFileException(uri, null, location.describe() + ": no such object (" + found + ")");
            missing.initCause(e);
            return missing;
        }
        if (status == 412 || "PreconditionFailed".equals(code) || "ConditionalRequestConflict".equals(code)) {
            FileAlreadyExistsException exists = new FileAlreadyExistsException(uri, null, location.describe()
                    + ": the commit would replace an object another writer committed first (" + found + " on If-None-Match: *)");
            exists.initCause(e);
            return exists;
        }
        String message = "Cannot " + verb + " " + uri + ": " + location.describe() + " (expected " + expected + ", found " + found + "; "
                + hint(code, status, location) + ")";
        if (status == 403) {
            // An I/O error about permissions, which callers must not mistake for damaged data.
            return new S3AccessDeniedException(message, uri, location.bucket(), location.key(), code, e);
        }
        return new S3StorageException(message, location.bucket(), location.key(), code, status, e);
    }

    private static String message(AwsServiceException e) {
        AwsErrorDetails d = e.awsErrorDetails();
        return d == null || d.errorMessage() == null ? "" : d.errorMessage();
    }

    private static String hint(String code, int status, S3Location location) {
        switch (code) {
            case "NoSuchBucket":
                return "create bucket '" + location.bucket() + "' or fix the bucket in the checkpoint URI";
            case "AccessDenied":
            case "AllAccessDisabled":
                return "the credentials in use may not do this on bucket '" + location.bucket() + "': check the bucket policy and"
                        + " the credentials (" + S3StorageSettings.ACCESS_KEY + ", " + S3StorageSettings.PROFILE
                        + " or the SDK's default chain)";
            case "InvalidAccessKeyId":
                return "the store does not know this access key: check " + S3StorageSettings.ACCESS_KEY + " or the credentials chain";
            case "SignatureDoesNotMatch":
                return "the secret key does not match the access key: check " + S3StorageSettings.SECRET_KEY;
            case "PermanentRedirect":
            case "AuthorizationHeaderMalformed":
            case "IllegalLocationConstraintException":
                return "the bucket lives in another region: set " + S3StorageSettings.REGION + " to it";
            case "NotImplemented":
                return "the store does not implement this request; for S3-compatible stores try " + S3StorageSettings.CHECKSUM
                        + "=md5 or none and " + S3StorageSettings.CONDITIONAL_WRITES + "=false";
            case "SlowDown":
            case "ServiceUnavailable":
            case "Throttling":
            case "ThrottlingException":
                return "the store throttled every retry: lower the context's parallelism or raise " + S3StorageSettings.MAX_ATTEMPTS;
            case "InvalidBucketName":
                return "'" + location.bucket() + "' is not a valid bucket name";
            default:
                return status >= 500 ? "the store failed every retry; raise " + S3StorageSettings.MAX_ATTEMPTS + " if it is overloaded"
                        : "the store refused the request; this is not retried";
        }
    }
}
