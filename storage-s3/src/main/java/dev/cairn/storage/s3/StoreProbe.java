package dev.cairn.storage.s3;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.cairn.storage.s3.S3StoreCapabilities.Support;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Finds out once per storage, on its first write, what the store supports, with a few requests
 * on a scratch key next to the first file written ({@code .cairn-probe-<uuid>}, a name no reader
 * takes for a part file), removed again afterwards:
 * <ol>
 *   <li>a PUT with {@code If-None-Match: *}, then a HEAD: is the size what was sent?</li>
 *   <li>the same PUT again: refused with {@code 412} if the store enforces conditional writes;</li>
 *   <li>a PUT with a wrong {@code x-amz-checksum-crc32c}, then one with a wrong {@code Content-MD5}:
 *       refused if the store verifies them;</li>
 *   <li>a multipart upload created and aborted at once, without parts: does the abort work?</li>
 * </ol>
 * Listing consistency cannot be probed (one listing proves nothing), so it stays as configured.
 * The result is logged once at INFO; {@code checksum=auto} and conditional writes follow it.
 * A probe that cannot run (access denied, no such bucket) leaves everything {@code UNKNOWN}
 * and the configured behaviour; the write itself then reports the real error.
 *
 * <p>Thread-safe: the first writer probes, concurrent ones wait for it.
 */
final class StoreProbe {
    private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);
    private static final byte[] BODY = "cairn store probe".getBytes(US_ASCII);
    /** The CRC32C and MD5 of other bytes: a store that verifies them must refuse the PUT. */
    private static final String WRONG_CRC32C = S3Storage.crc32c(new byte[] {1}, 1);
    private static final String WRONG_MD5 = S3Storage.md5(new byte[] {1}, 1);

    private final S3Storage storage;
    private volatile S3StoreCapabilities result;

    StoreProbe(S3Storage storage) {
        this.storage = storage;
    }

    /** The capabilities once probed (or configured, with the probe off); {@code null} before the first write. */
    S3StoreCapabilities result() {
        return result;
    }

    /** Probes next to {@code first} unless done already; logs the outcome once. */
    void ensure(S3Location first) {
        if (result != null) {
            return;
        }
        synchronized (this) {
            if (result != null) {
                return;
            }
            S3StorageSettings s = storage.settings();
            S3StoreCapabilities found = s.probe() ? probe(first) : new S3StoreCapabilities(Support.UNKNOWN, Support.UNKNOWN,
                    Support.UNKNOWN, Support.UNKNOWN, s.checksum(), Support.UNKNOWN, s.listingConsistency(), s.chunkedEncoding());
            result = found;
            LOG.info("S3 store at {}{}: {}", S3Storage.endpointName(s), s.probe() ? "" : " (not probed, " + S3StorageSettings.PROBE
                    + "=false)", found.describe());
        }
    }

    private S3StoreCapabilities probe(S3Location first) {
        S3StorageSettings s = storage.settings();
        String dir = first.key().contains("/") ? first.key().substring(0, first.key().lastIndexOf('/') + 1) : "";
        S3Location scratch = new S3Location(first.bucket(), dir + ".cairn-probe-" + UUID.randomUUID());
        Support conditional = Support.UNKNOWN;
        Support exact = Support.UNKNOWN;
        Support crc = Support.UNKNOWN;
        Support md5 = Support.UNKNOWN;
        Support abort = Support.UNKNOWN;
        try {
            try {
                put(scratch, b -> b.ifNoneMatch("*"));
                conditional = Support.IGNORED; // until the second PUT is refused
            } catch (SdkException e) {
                if (!S3Errors.isService(e) || S3Errors.status(e) == 403 || S3Errors.status(e) == 404) {
                    throw e; // no access, no bucket, no answer: nothing to learn here
                }
                conditional = Support.REJECTED;
                put(scratch, b -> b);
            }
            Long size = storage.call("HeadObject", c -> c.headObject(HeadObjectRequest.builder().bucket(scratch.bucket())
                    .key(scratch.key()).build())).contentLength();
            exact = size != null && size == BODY.length ? Support.SUPPORTED : Support.REJECTED;
            if (conditional == Support.IGNORED) {
                conditional = refused(() -> put(scratch, b -> b.ifNoneMatch("*")), 412) ? Support.SUPPORTED : Support.IGNORED;
            }
            crc = verifies(() -> put(scratch, b -> b.checksumCRC32C(WRONG_CRC32C)));
            md5 = verifies(() -> put(scratch, b -> b.contentMD5(WRONG_MD5)));
            String uploadId = storage.call("CreateMultipartUpload", c -> c.createMultipartUpload(CreateMultipartUploadRequest.builder()
                    .bucket(scratch.bucket()).key(scratch.key()).build())).uploadId();
            try {
                storage.call("AbortMultipartUpload", c -> c.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                        .bucket(scratch.bucket()).key(scratch.key()).uploadId(uploadId).build()));
                abort = Support.SUPPORTED;
            } catch (SdkException e) {
                if (!S3Errors.isService(e)) {
                    throw e;
                }
                abort = Support.REJECTED;
            }
        } catch (SdkException | IllegalStateException e) {
            LOG.debug("Cannot probe the S3 store at {} with {}: {}", S3Storage.endpointName(s), scratch, e.toString());
        } finally {
            try {
                storage.call("DeleteObject", c -> c.deleteObject(DeleteObjectRequest.builder().bucket(scratch.bucket())
                        .key(scratch.key()).build()));
            } catch (SdkException | IllegalStateException e) {
                LOG.debug("Cannot delete the probe object {}: {}", scratch, e.toString());
            }
        }
        S3Checksum send = s.checksum();
        if (send == S3Checksum.AUTO) {
            send = crc == Support.SUPPORTED || crc == Support.UNKNOWN ? S3Checksum.CRC32C : md5 == Support.SUPPORTED ? S3Checksum.MD5
                    : md5 == Support.UNKNOWN ? S3Checksum.MD5 : S3Checksum.NONE;
        }
        return new S3StoreCapabilities(conditional, abort, crc, md5, send, exact, s.listingConsistency(), s.chunkedEncoding());
    }

    private void put(S3Location loc, java.util.function.UnaryOperator<PutObjectRequest.Builder> extra) {
        PutObjectRequest request = extra.apply(PutObjectRequest.builder().bucket(loc.bucket()).key(loc.key())
                .contentLength((long) BODY.length)).build();
        storage.call("PutObject", c -> c.putObject(request, S3Storage.body(BODY, BODY.length)));
    }

    /** SUPPORTED if the store refuses a request with a wrong checksum, REJECTED if it does not know the header, else IGNORED. */
    private static Support verifies(Runnable put) {
        try {
            put.run();
            return Support.IGNORED;
        } catch (SdkException e) {
            if (!S3Errors.isService(e)) {
                throw e;
            }
            // BadDigest: the checksum does not match; InvalidDigest: an MD5 the store cannot use. Anything
            // else (501 NotImplemented, 400 InvalidRequest "not supported") refuses the header itself.
            String code = S3Errors.code(e);
            return S3Errors.status(e) == 400 && ("BadDigest".equals(code) || "InvalidDigest".equals(code)
                    || "XAmzContentChecksumMismatch".equals(code)) ? Support.SUPPORTED : Support.REJECTED;
        }
    }

    private static boolean refused(Runnable put, int status) {
        try {
            put.run();
            return false;
        } catch (SdkException e) {
            if (!S3Errors.isService(e)) {
                throw e;
            }
            return S3Errors.status(e) == status;
        }
    }
}
