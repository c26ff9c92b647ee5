package dev.cairn.storage.s3;

import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * One object being written. Bytes collect in a buffer that grows up to the part size. If the
 * file stays within one part, {@link #commit()} sends it as one PUT. When the buffer is full and
 * more bytes come, a multipart upload starts: each full buffer is handed to the storage's upload
 * threads, with at most {@code uploadConcurrency - 1} uploads in flight while the writer fills
 * the next buffer (or, for a concurrency of 1, uploaded in the writer's own thread). So a writer
 * never holds more than {@code partSize × uploadConcurrency} bytes. The commit uploads the last
 * part and completes the upload; {@link #close()} without a commit, or any failure, aborts it
 * once the parts in flight have finished, so the store keeps no orphaned parts.
 *
 * <p>The life cycle (open, then committed or closed; a failed write or commit discards) is
 * {@link StorageOutput}'s. Not thread-safe: one writer thread.
 */
final class S3Output extends StorageOutput {
    private static final Logger LOG = LoggerFactory.getLogger(S3Output.class);
    private static final int INITIAL_BUFFER = 64 * 1024;
    /** Attempts at a conditional commit the store answers with 409 ConditionalRequestConflict (a racing commit in progress). */
    private static final int CONFLICT_ATTEMPTS = 4;
    /** S3's limit of parts per multipart upload. */
    static final int MAX_PARTS = 10_000;

    private final S3Storage storage;
    private final S3Location location;
    private final boolean overwrite;
    private final int partSize;
    private final int concurrency;
    private byte[] buffer = new byte[0];
    private int filled;
    private long written;

    private String uploadId;
    private S3Checksum uploadChecksum;
    private int nextPartNumber = 1;
    private final Deque<Future<CompletedPart>> inFlight = new ArrayDeque<>();
    private final List<CompletedPart> completed = new ArrayList<>();
    /** Most part-buffer bytes this writer held at once: the memory bound the tests check. */
    private long peakBufferedBytes;

    S3Output(S3Storage storage, java.net.URI file, S3Location location, boolean overwrite) {
        super(file);
        this.storage = storage;
        this.location = location;
        this.overwrite = overwrite;
        this.partSize = storage.settings().partSize();
        this.concurrency = storage.settings().uploadConcurrency();
    }

    @Override
    protected void writeByte(int b) throws IOException {
        if (filled == partSize) {
            sendFullBuffer();
        }
        ensureCapacity(filled + 1);
        buffer[filled++] = (byte) b;
        written++;
    }

    @Override
    protected void writeBytes(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled == partSize) {
                // Only now, with more bytes coming, is the full buffer known not to be the last part.
                sendFullBuffer();
            }
            ensureCapacity(Math.min(partSize, filled + len));
            int n = Math.min(len, partSize - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            written += n;
            off += n;
            len -= n;
        }
    }

    private void ensureCapacity(int needed) {
        if (buffer.length >= needed) {
            return;
        }
        // Grow by doubling, so that the many small files of a checkpoint do not each cost a part size.
        int size = Math.max(needed, Math.min(partSize, Math.max(INITIAL_BUFFER, buffer.length * 2)));
        buffer = java.util.Arrays.copyOf(buffer, size);
        notePeak();
    }

    private void notePeak() {
        long held = buffer.length + (long) inFlight.size() * partSize;
        peakBufferedBytes = Math.max(peakBufferedBytes, held);
    }

    /**
     * Hands the full buffer to an upload; starts the multipart upload first if needed. A failure
     * discards the output (the base class aborts the upload).
     */
    private void sendFullBuffer() throws IOException {
        if (nextPartNumber >= MAX_PARTS) {
            // The last part is sent by the commit; a file needing more fails now rather than after uploading 10,000 parts.
            throw new IOException("Cannot write " + location + ": " + location.describe() + " (expected at most " + MAX_PARTS
                    + " parts of " + partSize + " bytes, as S3 allows, found a larger file; raise " + S3StorageSettings.PART_SIZE + ")");
        }
        if (uploadId == null) {
            startMultipartUpload();
        }
        byte[] data = buffer;
        int len = filled;
        int partNumber = nextPartNumber++;
        if (concurrency == 1) {
            completed.add(uploadPart(partNumber, data, len));
            filled = 0; // the same buffer is filled again
            return;
        }
        while (inFlight.size() >= concurrency - 1) {
            completed.add(await(inFlight.removeFirst()));
        }
        inFlight.addLast(storage.uploads().submit(() -> uploadPart(partNumber, data, len)));
        buffer = new byte[partSize];
        filled = 0;
        notePeak();
    }

    private void startMultipartUpload() throws IOException {
        S3Checksum checksum = storage.checksumToSend();
        try {
            uploadId = storage.createMultipartUpload(location, checksum);
        } catch (SdkException e) {
            if (!storage.fallBackFromCrc32c(checksum, e, location)) {
                throw S3Errors.translate("write", location, "the store to start a multipart upload", e);
            }
            checksum = storage.checksumToSend();
            try {
                uploadId = storage.createMultipartUpload(location, checksum);
            } catch (SdkException e2) {
                throw S3Errors.translate("write", location, "the store to start a multipart upload", e2);
            }
        }
        uploadChecksum = checksum;
        LOG.debug("Started multipart upload {} of {}", uploadId, location);
    }

    private CompletedPart uploadPart(int partNumber, byte[] data, int len) throws IOException {
        try {
            return storage.uploadPart(location, uploadId, partNumber, uploadChecksum, data, len);
        } catch (SdkException e) {
            throw S3Errors.translate("write", location, "the store to accept part " + partNumber + " (" + len
                    + " bytes) of upload " + uploadId, e);
        }
    }

    private static CompletedPart await(Future<CompletedPart> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException("interrupted while waiting for a part upload");
            io.initCause(e);
            throw io;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException) {
                throw (IOException) c;
            }
            if (c instanceof RuntimeException) {
                throw (RuntimeException) c;
            }
            throw new IOException(c);
        }
    }

    /**
     * Publishes the object: one PUT, or the last part and the completion of the multipart upload.
     * Without overwrite, fails with {@link FileAlreadyExistsException} when an object is already
     * there: the store refuses the request that publishes ({@code If-None-Match: *}) on a store
     * the probe found enforcing it; elsewhere, and before every multipart completion (the probe
     * tries single PUTs only), a HEAD checks first, as it always did.
     *
     * <p>A {@code 412} on the publishing request is not taken for another writer's object at once:
     * the SDK retries a request whose answer was lost, and the retry of a PUT that did land is
     * refused by the store although the object there is this one. {@link #confirmOwnObject} looks
     * at what is there and accepts it only if it is the bytes this output sent.
     */
    @Override
    protected void publish() throws IOException {
        boolean single = uploadId == null;
        // On a store that enforces If-None-Match the PUT itself refuses atomically what the HEAD would find,
        // so the HEAD only cost a request per file (a third of a checkpoint's write requests).
        boolean headFirst = !overwrite && !(single && storage.conditionalWritesEnforced());
        if (headFirst && storage.exists(location)) {
            throw new FileAlreadyExistsException(location.toString(), null, location.describe()
                    + ": an object is already there and the commit may not replace it");
        }
        boolean ifNoneMatch = !overwrite && storage.conditionalWrites();
        String eTag;
        boolean confirmed = false;
        if (single) {
            S3Checksum[] sent = {storage.checksumToSend()};
            try {
                eTag = putWhole(ifNoneMatch, sent);
            } catch (PreconditionFailed e) {
                eTag = confirmOwnObject(e.refusal, sent[0] == S3Checksum.CRC32C ? S3Storage.crc32c(buffer, filled) : null);
                confirmed = true;
            }
        } else {
            completed.add(uploadPart(nextPartNumber++, buffer, filled));
            while (!inFlight.isEmpty()) {
                completed.add(await(inFlight.removeFirst()));
            }
            completed.sort(Comparator.comparingInt(CompletedPart::partNumber));
            try {
                eTag = complete(ifNoneMatch);
            } catch (PreconditionFailed e) {
                eTag = confirmOwnObject(e.refusal, uploadChecksum == S3Checksum.CRC32C ? compositeCrc32c() : null);
                confirmed = true;
            }
            LOG.debug("Completed multipart upload {} of {}: {} parts, {} bytes", uploadId, location, completed.size(), written);
            uploadId = null; // completed: nothing to abort any more
        }
        buffer = null;
        if (!confirmed && storage.settings().checkStoredSize()) {
            // (A confirmed object had its size compared already.)
            storage.checkStoredSize(location, written, eTag);
        }
    }

    /** A {@code 412} answer to a conditional publish, for {@link #publish()} to look into. */
    private static final class PreconditionFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final transient SdkException refusal;

        PreconditionFailed(SdkException refusal) {
            super(null, null, false, false); // control flow only: no stack trace
            this.refusal = refusal;
        }
    }

    private String putWhole(boolean ifNoneMatch, S3Checksum[] checksum) throws IOException, PreconditionFailed {
        for (int attempt = 1; ; attempt++) {
            try {
                return storage.putObject(location, checksum[0], buffer, filled, ifNoneMatch);
            } catch (SdkException e) {
                if (storage.fallBackFromCrc32c(checksum[0], e, location)) {
                    checksum[0] = storage.checksumToSend();
                    continue;
                }
                if (isConflict(e) && attempt < CONFLICT_ATTEMPTS) {
                    pause(attempt);
                    continue;
                }
                if (ifNoneMatch && S3Errors.status(e) == 412) {
                    throw new PreconditionFailed(e);
                }
                throw S3Errors.translate("commit", location, "the store to accept the object (" + filled + " bytes)", e);
            }
        }
    }

    private String complete(boolean ifNoneMatch) throws IOException, PreconditionFailed {
        for (int attempt = 1; ; attempt++) {
            try {
                return storage.completeMultipartUpload(location, uploadId, completed, ifNoneMatch);
            } catch (SdkException e) {
                if (isConflict(e) && attempt < CONFLICT_ATTEMPTS) {
                    pause(attempt);
                    continue;
                }
                if (ifNoneMatch && S3Errors.status(e) == 412) {
                    throw new PreconditionFailed(e);
                }
                throw S3Errors.translate("commit", location, "the store to complete upload " + uploadId + " (" + completed.size()
                        + " parts, " + written + " bytes)", e);
            }
        }
    }

    /**
     * After the store refused the publishing request with {@code 412}: returns the ETag of the object
     * there if it is the one this output sent (the SDK retried a request that had landed, and the
     * retry found its own object), else throws the {@link FileAlreadyExistsException} a lost race
     * gets. The object is this output's when it has the size sent and either the CRC32C sent, or an
     * ETag that is the MD5 of the bytes sent (for a multipart upload: the store's ETag of the parts
     * uploaded), or, for a single PUT, the same bytes read back. Anything less proves nothing and
     * counts as another writer's object, as every 412 did before.
     *
     * @param crc32cSent the CRC32C the publishing request carried (composite {@code <b64>-<parts>} for a
     *                   multipart upload), or null when it carried none
     */
    private String confirmOwnObject(SdkException refusal, String crc32cSent) throws IOException {
        String refused = "the store answered If-None-Match: * with " + S3Errors.code(refusal) + " (HTTP 412)";
        String ours = "the " + written + " bytes this commit sent" + (crc32cSent == null ? "" : ", CRC32C " + crc32cSent);
        HeadObjectResponse head = storage.headForComparison(location, crc32cSent != null);
        if (head == null) {
            throw notOurs(refused, ours, "no object on a HEAD right after", refusal);
        }
        Long stored = head.contentLength();
        if (stored == null || stored != written) {
            throw notOurs(refused, ours, "an object of " + stored + " bytes (ETag " + head.eTag() + ")", refusal);
        }
        String storedCrc = head.checksumCRC32C();
        String proof = null;
        if (crc32cSent != null && storedCrc != null && storedCrc.contains("-") == crc32cSent.contains("-")) {
            if (!storedCrc.equals(crc32cSent)) {
                throw notOurs(refused, ours, "an object of " + stored + " bytes with CRC32C " + storedCrc, refusal);
            }
            proof = "CRC32C " + storedCrc;
        } else if (eTagOfSentBytes().equals(unquote(head.eTag()))) {
            proof = "ETag " + head.eTag();
        } else if (uploadId == null) {
            // A single PUT still holds its bytes: read the object back (at most a part size, and only after a 412).
            if (!storage.holdsExactly(location, buffer, filled)) {
                throw notOurs(refused, ours, "an object of " + stored + " bytes with other content (ETag " + head.eTag() + ")", refusal);
            }
            proof = "the bytes read back";
        } else {
            throw notOurs(refused, ours, "an object of " + stored + " bytes that neither its ETag " + head.eTag() + " nor a CRC32C"
                    + (storedCrc == null ? "" : " (" + storedCrc + ")") + " shows to be this upload's", refusal);
        }
        LOG.info("{}: {} on a retried commit; the object there is this commit's own ({} bytes, {}): committed", location, refused,
                written, proof);
        return head.eTag();
    }

    private FileAlreadyExistsException notOurs(String refused, String ours, String found, SdkException refusal) {
        FileAlreadyExistsException e = new FileAlreadyExistsException(location.toString(), null, location.describe()
                + ": an object is already there and the commit may not replace it (expected " + ours + ", found " + found
                + "; " + refused + ")");
        e.initCause(refusal);
        return e;
    }

    /**
     * The ETag S3 gives the bytes sent: the hex MD5 of a single PUT's body; for a multipart upload,
     * the MD5 of the parts' binary MD5s (the ETags the store gave them), then {@code -<parts>}.
     * Stores that encrypt with KMS, and some gateways, give other ETags: then this never matches.
     */
    private String eTagOfSentBytes() {
        MessageDigest md5 = md5();
        if (uploadId == null) {
            md5.update(buffer, 0, filled);
            return HexFormat.of().formatHex(md5.digest());
        }
        for (CompletedPart part : completed) {
            String hex = unquote(part.eTag());
            if (hex == null || hex.length() != 32 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return "(part ETags are not MD5s)";
            }
            md5.update(HexFormat.of().parseHex(hex));
        }
        return HexFormat.of().formatHex(md5.digest()) + "-" + completed.size();
    }

    /** S3's checksum of a multipart upload created for CRC32C: the CRC32C of the parts' CRC32Cs, then {@code -<parts>}. */
    private String compositeCrc32c() {
        CRC32C crc = new CRC32C();
        for (CompletedPart part : completed) {
            crc.update(Base64.getDecoder().decode(part.checksumCRC32C()));
        }
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array()) + "-" + completed.size();
    }

    private static String unquote(String eTag) {
        return eTag == null ? null : eTag.replace("\"", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /** AWS answers 409 while another conditional write of the key is in progress, and asks for a retry. */
    private static boolean isConflict(SdkException e) {
        return S3Errors.status(e) == 409 && "ConditionalRequestConflict".equals(S3Errors.code(e));
    }

    private static void pause(int attempt) throws InterruptedIOException {
        try {
            Thread.sleep(50L << attempt);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while retrying a conditional commit");
        }
    }

    /** Discards the file: aborts the multipart upload, if one was started. */
    @Override
    protected void discard() throws IOException {
        buffer = null;
        abortUpload(null);
    }

    /** Lets the parts in flight finish (an abort racing them could leave a part behind), then aborts. */
    private void abortUpload(Throwable cause) throws IOException {
        if (uploadId == null) {
            return;
        }
        // Neither the wait nor the abort request may be cut short by the interrupt that may have caused
        // them (the SDK refuses to send a request from an interrupted thread): restore it afterwards.
        boolean interrupted = Thread.interrupted();
        try {
            while (!inFlight.isEmpty()) {
                try {
                    inFlight.removeFirst().get();
                } catch (ExecutionException e) {
                    // the upload's own failure; the abort below removes whatever it left
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            String id = uploadId;
            uploadId = null;
            storage.abortMultipartUpload(location, id);
            LOG.debug("Aborted multipart upload {} of {}{}", id, location, cause == null ? "" : " after " + cause);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Most part-buffer bytes held at once, for tests of the memory bound. */
    long peakBufferedBytes() {
        return peakBufferedBytes;
    }
}
