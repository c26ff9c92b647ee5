package dev.cairn.storage.s3;

import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;

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
     * there (a HEAD first, then {@code If-None-Match: *} on the request that publishes).
     */
    @Override
    protected void publish() throws IOException {
        if (!overwrite && storage.exists(location)) {
            throw new FileAlreadyExistsException(location.toString(), null, location.describe()
                    + ": an object is already there and the commit may not replace it");
        }
        boolean ifNoneMatch = !overwrite && storage.conditionalWrites();
        String eTag;
        if (uploadId == null) {
            eTag = putWhole(ifNoneMatch);
        } else {
            completed.add(uploadPart(nextPartNumber++, buffer, filled));
            while (!inFlight.isEmpty()) {
                completed.add(await(inFlight.removeFirst()));
            }
            completed.sort(Comparator.comparingInt(CompletedPart::partNumber));
            eTag = complete(ifNoneMatch);
            LOG.debug("Completed multipart upload {} of {}: {} parts, {} bytes", uploadId, location, completed.size(), written);
            uploadId = null; // completed: nothing to abort any more
        }
        buffer = null;
        if (storage.settings().checkStoredSize()) {
            storage.checkStoredSize(location, written, eTag);
        }
    }

    private String putWhole(boolean ifNoneMatch) throws IOException {
        S3Checksum checksum = storage.checksumToSend();
        for (int attempt = 1; ; attempt++) {
            try {
                return storage.putObject(location, checksum, buffer, filled, ifNoneMatch);
            } catch (SdkException e) {
                if (storage.fallBackFromCrc32c(checksum, e, location)) {
                    checksum = storage.checksumToSend();
                    continue;
                }
                if (isConflict(e) && attempt < CONFLICT_ATTEMPTS) {
                    pause(attempt);
                    continue;
                }
                throw S3Errors.translate("commit", location, "the store to accept the object (" + filled + " bytes)", e);
            }
        }
    }

    private String complete(boolean ifNoneMatch) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return storage.completeMultipartUpload(location, uploadId, completed, ifNoneMatch);
            } catch (SdkException e) {
                if (isConflict(e) && attempt < CONFLICT_ATTEMPTS) {
                    pause(attempt);
                    continue;
                }
                throw S3Errors.translate("commit", location, "the store to complete upload " + uploadId + " (" + completed.size()
                        + " parts, " + written + " bytes)", e);
            }
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
