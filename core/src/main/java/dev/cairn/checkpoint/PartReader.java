package dev.cairn.checkpoint;

import dev.cairn.CheckpointException;
import dev.cairn.CheckpointIOException;
import dev.cairn.CorruptPartException;
import dev.cairn.IncompatibleCheckpointException;
import dev.cairn.MissingPartException;
import dev.cairn.serde.Compression;
import dev.cairn.serde.KnownLengthInputStream;
import dev.cairn.serde.RecordInput;
import dev.cairn.serde.Serializer;
import dev.cairn.storage.Storage;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.NoSuchElementException;

/**
 * Reads one part file back as records: store → {@link StoreInput} (marks the store's failures) →
 * {@link ChecksummedInputStream} (length and CRC32C of the whole file) → {@link BlockInputStream}
 * (formats 2 and 3: each block checked before it is passed on, in format 3 against its position too) or a buffer (format 1) → decompression →
 * deserializer. See {@link PartIterator} for what is checked and thrown.
 *
 * <p>Format 1 parts have no blocks: their records are handed out before the checksum at the end
 * is known, so an action over a damaged format-1 part fails when the part ends.
 */
final class PartReader<T> implements PartIterator<T> {
    private static final int BUFFER = 64 * 1024;

    private final CheckpointManifest.Part part;
    private final URI directory;
    private final String dataset;
    private final ChecksummedInputStream checksummed;
    private final InputStream framed;
    private final RecordInput records;
    private long read;
    private boolean verified;
    private boolean closed;

    private PartReader(CheckpointManifest.Part part, URI directory, String dataset, ChecksummedInputStream checksummed,
                       InputStream framed, RecordInput records) {
        this.part = part;
        this.directory = directory;
        this.dataset = dataset;
        this.checksummed = checksummed;
        this.framed = framed;
        this.records = records;
    }

    /**
     * Opens a part for reading; a failing open is retried a few times.
     *
     * @throws MissingPartException  when the file is not there
     * @throws CheckpointIOException when the store keeps failing
     * @throws CorruptPartException  when its first bytes cannot be read as the recorded format
     */
    static <T> PartReader<T> open(Storage storage, URI directory, CheckpointManifest manifest, int partition, Serializer serializer,
                                  Compression compression, String dataset) {
        CheckpointManifest.Part part = manifest.parts().get(partition);
        InputStream raw = openRaw(storage, directory, part, dataset, "read");
        ChecksummedInputStream checksummed = new ChecksummedInputStream(new StoreInput(raw));
        InputStream framed = manifest.blocked() ? new BlockInputStream(checksummed, manifest.blockSize(), manifest.formatVersion())
                : new BufferedInputStream(checksummed, BUFFER);
        try {
            InputStream stream = compression.wrap(framed);
            long bound = streamBound(part, compression);
            RecordInput records = serializer.newInput(bound == Long.MAX_VALUE ? stream : new KnownLengthInputStream(stream, bound));
            return new PartReader<>(part, directory, dataset, checksummed, framed, records);
        } catch (IOException | RuntimeException | LinkageError e) {
            closeQuietly(raw);
            throw failure("read", dataset, directory, part.name(), "expected a " + serializer.name() + " stream with "
                    + compression.id() + " compression", "at its start", e);
        }
    }

    /**
     * The most bytes the part's record stream can hold: its recorded length, or, for a part
     * without compression whose manifest does not record it, the file's length (blocks only add
     * to it); a compressed part of an older manifest has no bound.
     */
    static long streamBound(CheckpointManifest.Part part, Compression compression) {
        if (part.streamBytes() >= 0) {
            return part.streamBytes();
        }
        return compression == Compression.NONE ? Math.max(0, part.bytes()) : Long.MAX_VALUE;
    }

    /** Opens the file, retrying an I/O failure (not a missing file) a few times. */
    static InputStream openRaw(Storage storage, URI directory, CheckpointManifest.Part part, String dataset, String verb) {
        URI file = CheckpointLayout.file(directory, part.name());
        IOException last = null;
        for (int attempt = 0; attempt < Retries.ATTEMPTS; attempt++) {
            try {
                return storage.open(file);
            } catch (NoSuchFileException e) {
                throw new MissingPartException(verb, dataset, directory, part.name(),
                        "expected a part of " + part.bytes() + " bytes as _manifest.json lists, found no file", e);
            } catch (IOException e) {
                last = e;
                Retries.pause(attempt, dataset, directory, verb);
            }
        }
        throw new CheckpointIOException(verb, dataset, directory, part.name(), "could not " + verb + " the part: expected to open it,"
                + " found the store failing " + Retries.ATTEMPTS + " times: " + last + "; the data may be intact, try again", last);
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        boolean more;
        try {
            more = records.hasNext();
        } catch (IOException | RuntimeException | LinkageError e) {
            throw fail(e);
        }
        if (more && read >= part.records()) {
            throw fail("expected " + part.records() + " records, found more", null);
        }
        if (!more) {
            verifyEnd();
        }
        return more;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException("Cannot read record " + read + " of " + directory + "/" + part.name()
                    + " (expected another record, found the end of the part; call hasNext() first)");
        }
        try {
            Object r = records.next();
            read++;
            return (T) r;
        } catch (IOException | RuntimeException | LinkageError e) {
            throw fail(e);
        }
    }

    @Override
    public long recordsRead() {
        return read;
    }

    private void verifyEnd() {
        if (verified) {
            return;
        }
        verified = true;
        try {
            framed.transferTo(java.io.OutputStream.nullOutputStream());
            checksummed.drain();
        } catch (IOException e) {
            throw fail(e);
        } finally {
            close();
        }
        if (read != part.records()) {
            throw fail("expected " + part.records() + " records, found " + read, null);
        }
        if (checksummed.bytes() != part.bytes()) {
            throw fail("expected " + part.bytes() + " bytes, found " + checksummed.bytes(), null);
        }
        if (checksummed.crc32c() != part.crc32c()) {
            throw fail("expected CRC32C " + CheckpointFiles.hex(part.crc32c()) + ", found " + CheckpointFiles.hex(checksummed.crc32c())
                    + "; the file was changed or damaged after it was written", null);
        }
    }

    private CheckpointException fail(String detail, Throwable cause) {
        close();
        return new CorruptPartException("read", dataset, directory, part.name(), detail, cause);
    }

    private CheckpointException fail(Throwable cause) {
        close();
        return failure("read", dataset, directory, part.name(), "expected " + part.records() + " records", "after " + read + " records",
                cause);
    }

    /**
     * The exception for a failure while reading a part: the store's failure is I/O (it says
     * "could not read", never "corrupt"), a record class missing here is an incompatibility,
     * anything else means the bytes are wrong.
     *
     * @param expected what the reader expected, e.g. {@code expected 625 records}
     * @param where    where in the file it was, e.g. {@code after 12 records}
     */
    static CheckpointException failure(String verb, String dataset, URI directory, String file, String expected, String where,
                                       Throwable cause) {
        if (cause instanceof CheckpointException ce) {
            return ce;
        }
        if (StoreInput.isStoreFailure(cause)) {
            return new CheckpointIOException(verb, dataset, directory, file, "could not " + verb + " the part: " + expected
                    + ", found the store failing " + where + ": " + StoreInput.storeCause(cause)
                    + "; the data may be intact, try again", cause);
        }
        if (StoreInput.isMissingClass(cause)) {
            return new IncompatibleCheckpointException(verb, dataset, directory, file, expected + ", found a record " + where
                    + " whose class this process cannot load or link: " + firstLine(cause)
                    + "; put the record classes and their dependencies on the class path", cause);
        }
        return new CorruptPartException(verb, dataset, directory, file, expected + ", found unreadable bytes " + where + ": "
                + firstLine(cause), cause);
    }

    private static String firstLine(Throwable t) {
        String s = t.toString();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /**
     * Checks a part's length and CRC32C (and, for formats 2 and 3, every block) without deserializing
     * it: the post-commit verification and the command line's {@code verify}.
     *
     * @throws MissingPartException, CorruptPartException or CheckpointIOException naming the part
     */
    static void verifyBytes(Storage storage, URI directory, CheckpointManifest manifest, int partition, String dataset) {
        CheckpointManifest.Part part = manifest.parts().get(partition);
        try (InputStream raw = openRaw(storage, directory, part, dataset, "verify")) {
            ChecksummedInputStream in = new ChecksummedInputStream(new StoreInput(raw));
            String damaged = null;
            if (manifest.blocked()) {
                try {
                    // Not closed here: closing it would close the file before the drain below.
                    new BlockInputStream(in, manifest.blockSize(), manifest.formatVersion()).transferTo(java.io.OutputStream.nullOutputStream());
                } catch (BlockInputStream.DamagedBlockException e) {
                    damaged = e.getMessage(); // the whole-file figures below say it first; this says where
                }
            }
            in.drain();
            String where = damaged == null ? "" : " (the first damaged block: " + damaged + ")";
            if (in.bytes() != part.bytes()) {
                throw new CorruptPartException("verify", dataset, directory, part.name(),
                        "expected " + part.bytes() + " bytes, found " + in.bytes() + where, null);
            }
            if (in.crc32c() != part.crc32c()) {
                throw new CorruptPartException("verify", dataset, directory, part.name(), "expected CRC32C " + CheckpointFiles.hex(part.crc32c())
                        + ", found " + CheckpointFiles.hex(in.crc32c()) + "; the store returned other bytes than were written" + where, null);
            }
            if (damaged != null) {
                throw new CorruptPartException("verify", dataset, directory, part.name(), damaged, null);
            }
        } catch (IOException e) {
            throw failure("verify", dataset, directory, part.name(), "expected " + part.bytes() + " bytes matching the manifest",
                    "while reading them", e);
        }
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
