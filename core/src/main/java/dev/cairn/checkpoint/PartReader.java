package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.CorruptPartException;
import dev.cairn.MissingPartException;
import dev.cairn.serde.Compression;
import dev.cairn.serde.RecordInput;
import dev.cairn.serde.Serializer;
import dev.cairn.storage.Storage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads one part file back as records and verifies it against its manifest entry while doing
 * so: the record count as records come, and, when the records end, the byte length and CRC32C of
 * the whole file (the rest of the file is read and checksummed too, so trailing garbage is
 * caught). Any mismatch is a {@link CorruptPartException} naming the file, expected and found.
 *
 * <p>Records are handed out before the checksum at the end is known; an action over a corrupt
 * part fails when the part ends, before the action returns.
 */
public final class PartReader implements Iterator<Object>, AutoCloseable {
    private static final int BUFFER = 64 * 1024;

    private final CheckpointManifest.Part part;
    private final URI directory;
    private final String dataset;
    private final ChecksummedInputStream checksummed;
    private final InputStream buffered;
    private final RecordInput records;
    private long read;
    private boolean verified;
    private boolean closed;

    private PartReader(CheckpointManifest.Part part, URI directory, String dataset, ChecksummedInputStream checksummed,
                       InputStream buffered, RecordInput records) {
        this.part = part;
        this.directory = directory;
        this.dataset = dataset;
        this.checksummed = checksummed;
        this.buffered = buffered;
        this.records = records;
    }

    /**
     * Opens a part for reading.
     *
     * @throws MissingPartException when the file is not there
     * @throws CorruptPartException when its first bytes cannot be read as the recorded format
     */
    public static PartReader open(Storage storage, URI directory, CheckpointManifest.Part part, Serializer serializer,
                                  Compression compression, String dataset) {
        URI file = CheckpointLayout.child(directory, part.name());
        InputStream raw;
        try {
            raw = storage.open(file);
        } catch (NoSuchFileException e) {
            throw new MissingPartException("read", dataset, directory, part.name(),
                    "expected a part of " + part.bytes() + " bytes as _manifest.json lists, found no file", e);
        } catch (IOException e) {
            throw new CorruptPartException("read", dataset, directory, part.name(), "expected to open the part, found an error: " + e, e);
        }
        ChecksummedInputStream checksummed = new ChecksummedInputStream(raw);
        BufferedInputStream buffered = new BufferedInputStream(checksummed, BUFFER);
        try {
            RecordInput records = serializer.newInput(compression.wrap(buffered));
            return new PartReader(part, directory, dataset, checksummed, buffered, records);
        } catch (IOException | RuntimeException e) {
            closeQuietly(raw);
            throw new CorruptPartException("read", dataset, directory, part.name(), "expected a " + serializer.name()
                    + " stream with " + compression.id() + " compression, found unreadable bytes: " + e, e);
        }
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        boolean more;
        try {
            more = records.hasNext();
        } catch (IOException | RuntimeException e) {
            throw corrupt("expected " + part.records() + " records, found an unreadable record after " + read + ": " + e, e);
        }
        if (more && read >= part.records()) {
            throw corrupt("expected " + part.records() + " records, found more", null);
        }
        if (!more) {
            verifyEnd();
        }
        return more;
    }

    @Override
    public Object next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        try {
            Object r = records.next();
            read++;
            return r;
        } catch (IOException | RuntimeException e) {
            throw corrupt("expected " + part.records() + " records, found an unreadable record after " + read + ": " + e, e);
        }
    }

    private void verifyEnd() {
        if (verified) {
            return;
        }
        verified = true;
        try {
            buffered.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw corrupt("expected to read the part to its end, found an error: " + e, e);
        } finally {
            close();
        }
        if (read != part.records()) {
            throw corrupt("expected " + part.records() + " records, found " + read, null);
        }
        if (checksummed.bytes() != part.bytes()) {
            throw corrupt("expected " + part.bytes() + " bytes, found " + checksummed.bytes(), null);
        }
        if (checksummed.crc32c() != part.crc32c()) {
            throw corrupt("expected CRC32C " + hex(part.crc32c()) + ", found " + hex(checksummed.crc32c())
                    + "; the file was changed or damaged after it was written", null);
        }
    }

    /**
     * Checks a part's length and CRC32C without deserializing it: the post-write verification.
     *
     * @throws MissingPartException or {@link CorruptPartException} naming the part
     */
    public static void verifyBytes(Storage storage, URI directory, CheckpointManifest.Part part, String dataset) {
        URI file = CheckpointLayout.child(directory, part.name());
        try (InputStream raw = storage.open(file)) {
            ChecksummedInputStream in = new ChecksummedInputStream(raw);
            in.drain();
            if (in.bytes() != part.bytes()) {
                throw new CorruptPartException("verify", dataset, directory, part.name(),
                        "expected " + part.bytes() + " bytes, found " + in.bytes(), null);
            }
            if (in.crc32c() != part.crc32c()) {
                throw new CorruptPartException("verify", dataset, directory, part.name(), "expected CRC32C " + hex(part.crc32c())
                        + ", found " + hex(in.crc32c()) + "; the store returned other bytes than were written", null);
            }
        } catch (NoSuchFileException e) {
            throw new MissingPartException("verify", dataset, directory, part.name(),
                    "expected a part of " + part.bytes() + " bytes, found no file", e);
        } catch (IOException e) {
            throw new CorruptPartException("verify", dataset, directory, part.name(), "expected to read the part, found an error: " + e, e);
        }
    }

    static String hex(long crc) {
        return String.format("%08x", crc);
    }

    private CairnException corrupt(String detail, Throwable cause) {
        close();
        return new CorruptPartException("read", dataset, directory, part.name(), detail, cause);
    }

    /** Releases the file. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                records.close();
            } catch (IOException | RuntimeException e) {
                // already failing or finished: nothing more to learn from a close error
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // nothing to add to the error being reported
        }
    }
}
