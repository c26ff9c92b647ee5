package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.CheckpointException;
import dev.cairn.CheckpointIOException;
import dev.cairn.serde.Compression;
import dev.cairn.serde.RecordOutput;
import dev.cairn.serde.Serializer;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one partition into its part file {@code part-NNNNN}: records → serializer →
 * compression → checksummed blocks → byte count and CRC32C → the store's output. Opened from any
 * thread or process with a {@link CheckpointSpec}; {@link #commit()} publishes the file and returns
 * the {@link PartReceipt} the driver commits with; {@link #close()} without a commit discards it.
 *
 * <h2>Two attempts of one partition</h2>
 * A part is published without overwrite, so the first attempt to publish a partition wins and a
 * published part is never replaced. A later attempt (a retried task whose first attempt's result
 * was lost, a speculative copy) finds the part there and returns a receipt describing the
 * published file instead of its own: its own bytes when they are the same, otherwise the published
 * file's length, CRC32C and record count, read back from it. Either way the receipt matches the
 * file, and exactly one file exists per partition.
 *
 * <p>Not thread-safe: one per task.
 */
public final class PartWriter implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(PartWriter.class);

    private final Storage storage;
    private final CheckpointSpec spec;
    private final int partition;
    private final String name;
    private final StorageOutput target; // null when the part was published already when this writer opened
    private final ChecksummedOutputStream checksummed;
    /** The record stream before compression, counted: its length goes into the manifest. */
    private final CountingOutputStream stream;
    private final RecordOutput records;
    private long count;
    private boolean done;

    private PartWriter(Storage storage, CheckpointSpec spec, int partition) {
        this.storage = storage;
        this.spec = spec;
        this.partition = partition;
        this.name = spec.partPath(partition);
        URI file = CheckpointLayout.file(spec.location(), name);
        StorageOutput out;
        try {
            out = storage.create(file, false);
        } catch (FileAlreadyExistsException e) {
            out = null; // another attempt published this partition: commit() reports that file
        } catch (IOException e) {
            throw new CheckpointIOException("write", spec.dataset(), spec.location(), name,
                    "expected to create the part file, found an error: " + e, e);
        }
        this.target = out;
        if (out == null) {
            this.checksummed = null;
            this.stream = null;
            this.records = null;
            return;
        }
        try {
            this.checksummed = new ChecksummedOutputStream(out);
            Serializer serializer = spec.newOrCachedSerializer();
            Compression compression = spec.compressionCodec();
            this.stream = new CountingOutputStream(compression.wrap(new BlockOutputStream(checksummed,
                    CheckpointManifest.DEFAULT_BLOCK_SIZE)));
            this.records = serializer.newOutput(stream);
        } catch (IOException | RuntimeException e) {
            discard(out);
            throw new CheckpointIOException("write", spec.dataset(), spec.location(), name,
                    "expected to start the part's record stream, found an error: " + e, e);
        }
    }

    /**
     * Opens the part file of {@code partition} for writing.
     *
     * @param storage the storage backends of this process (one registry per process, reused)
     * @param spec    the checkpoint being written
     * @throws CheckpointIOException when the store cannot create the file
     */
    public static PartWriter open(StorageRegistry storage, CheckpointSpec spec, int partition) {
        if (partition < 0) {
            throw new CairnException("Cannot write checkpoint of dataset " + spec.dataset() + ": " + spec.location()
                    + " (expected a partition index >= 0, found " + partition + ")");
        }
        return new PartWriter(storage.storageFor(spec.location()), spec, partition);
    }

    /** The partition this part holds. */
    public int partition() {
        return partition;
    }

    /** The part's path relative to the checkpoint directory: {@code part-00003}, or {@code 3c/part-00003} with a prefix spread. */
    public String file() {
        return name;
    }

    /**
     * Appends one record.
     *
     * @throws CheckpointException naming the record when the serializer cannot encode it, a
     *                             {@link CheckpointIOException} when the store fails
     */
    public void write(Object record) {
        if (done) {
            throw new CheckpointException("write", spec.dataset(), spec.location(), name,
                    "expected an open part, found it committed or closed", null);
        }
        if (records == null) {
            count++; // the part is published already: its records are the published file's
            return;
        }
        try {
            records.write(record);
            count++;
        } catch (IOException e) {
            throw new CheckpointIOException("write", spec.dataset(), spec.location(), name, "expected to write record " + count
                    + " of partition " + partition + ", found an error: " + e, e);
        } catch (RuntimeException e) {
            throw new CheckpointException("write", spec.dataset(), spec.location(), name, "expected record " + count
                    + " of partition " + partition + " to be encodable, found: " + e.getMessage(), e);
        }
    }

    /** Records written so far. */
    public long records() {
        return count;
    }

    /**
     * Ends the stream, publishes the file (without overwrite), and returns its receipt; when
     * another attempt published this partition first, returns the receipt of that file.
     *
     * @throws CheckpointIOException when the store fails, a {@link dev.cairn.CorruptPartException}
     *                               when a part published by another attempt does not read back
     */
    public PartReceipt commit() {
        if (done) {
            throw new CheckpointException("commit", spec.dataset(), spec.location(), name,
                    "expected an open part, found it committed or closed", null);
        }
        done = true;
        if (target == null) {
            return adopt(null);
        }
        CheckpointManifest.Part mine;
        try {
            records.close(); // ends serializer, compression and blocks; the checksummed stream keeps the target open
            mine = new CheckpointManifest.Part(name, checksummed.bytes(), count, checksummed.crc32c(), stream.count);
            target.commit();
        } catch (FileAlreadyExistsException e) {
            discard(target);
            return adopt(new CheckpointManifest.Part(name, checksummed.bytes(), count, checksummed.crc32c(), stream.count));
        } catch (IOException | RuntimeException e) {
            discard(target);
            throw new CheckpointIOException("write", spec.dataset(), spec.location(), name, "expected to publish the part with "
                    + count + " records, found an error: " + e, e);
        }
        return receipt(mine);
    }

    private PartReceipt receipt(CheckpointManifest.Part part) {
        return new PartReceipt(spec.writerId(), partition, part.name(), part.bytes(), part.records(), part.crc32c(),
                part.streamBytes());
    }

    /**
     * The receipt of the part another attempt published: {@code mine} when the file holds the same
     * bytes, else the file's own figures, read back from it (every block checked, records counted).
     */
    private PartReceipt adopt(CheckpointManifest.Part mine) {
        URI file = CheckpointLayout.file(spec.location(), name);
        try {
            FileStatus status = storage.stat(file);
            if (mine != null && status.length() == mine.bytes() && crcOf(file) == mine.crc32c()) {
                LOG.info("Part {} of {} was published by another attempt with the same bytes; using it", name, spec.location());
                return receipt(mine);
            }
        } catch (IOException e) {
            throw new CheckpointIOException("write", spec.dataset(), spec.location(), name, "expected to read the part another"
                    + " attempt published, found an error: " + e, e);
        }
        CheckpointManifest.Part theirs = PartInspector.inspect(storage, spec.location(), name, spec.newOrCachedSerializer(),
                spec.compressionCodec(), spec.dataset());
        LOG.info("Part {} of {} was published by another attempt ({} records, {} bytes); using that file instead of this"
                + " attempt's ({} records)", name, spec.location(), theirs.records(), theirs.bytes(), count);
        return receipt(theirs);
    }

    private long crcOf(URI file) throws IOException {
        try (InputStream in = storage.open(file)) {
            ChecksummedInputStream c = new ChecksummedInputStream(in);
            c.drain();
            return c.crc32c();
        }
    }

    /** Discards the file unless it was committed. Idempotent; never throws. */
    @Override
    public void close() {
        if (!done) {
            done = true;
            if (target != null) {
                discard(target);
            }
        }
    }

    private void discard(StorageOutput out) {
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("Cannot discard unfinished part {}/{}: {}", spec.location(), name, e.toString());
        }
    }

    /** Counts the bytes written through it. */
    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
