package dev.cairn.checkpoint;

import dev.cairn.serde.Compression;
import dev.cairn.serde.RecordOutput;
import dev.cairn.serde.Serializer;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.URI;

/**
 * Streams one partition into one part file: records → serializer → compression → 64 KiB buffer →
 * byte count and CRC32C → the store's output. {@link #commit()} publishes the file and returns
 * what the manifest records of it; {@link #close()} without a commit discards it.
 *
 * <p>Not thread-safe: one per task.
 */
public final class PartWriter implements Closeable {
    private static final int BUFFER = 64 * 1024;

    private final String name;
    private final StorageOutput target;
    private final ChecksummedOutputStream checksummed;
    private final RecordOutput records;
    private long count;
    private boolean done;

    /**
     * Creates the part file (overwriting debris a failed attempt may have left under the same name).
     */
    public PartWriter(Storage storage, URI file, String name, Serializer serializer, Compression compression) throws IOException {
        this.name = name;
        this.target = storage.create(file, true);
        try {
            this.checksummed = new ChecksummedOutputStream(target);
            this.records = serializer.newOutput(compression.wrap(new BufferedOutputStream(checksummed, BUFFER)));
        } catch (IOException | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    /** Appends one record. */
    public void write(Object record) throws IOException {
        records.write(record);
        count++;
    }

    /** Records written so far. */
    public long records() {
        return count;
    }

    /** Ends the stream, publishes the file, and returns its manifest entry. */
    public CheckpointManifest.Part commit() throws IOException {
        records.close(); // flushes serializer, compression and buffer; the checksummed stream keeps the target open
        target.commit();
        done = true;
        return new CheckpointManifest.Part(name, checksummed.bytes(), count, checksummed.crc32c());
    }

    /** Discards the file unless it was committed. */
    @Override
    public void close() throws IOException {
        if (!done) {
            done = true;
            target.close();
        }
    }
}
