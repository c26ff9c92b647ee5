package dev.cairn.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The output of one file being written. Bytes written are private to the writer until
 * {@link #commit()} publishes the file atomically; {@link #close()} without a commit discards
 * them, so a try-with-resources block cleans up a failed write by itself.
 *
 * <p>An output is open, then committed or closed, never open again: {@code write} and
 * {@code commit} on a committed or closed output throw {@link IOException} (a second commit
 * too); {@code flush} and {@code close} on a committed output do nothing, because stream
 * wrappers flush and close after the commit. The storage TCK checks exactly this.
 *
 * <p>Not thread-safe: one writer thread per output.
 */
public abstract class StorageOutput extends OutputStream {

    /**
     * Publishes the file under its final name, whole and at once, with whatever durability the
     * backend promises (e.g. fsync or a completed upload). After it returns, {@link #close()}
     * does nothing. A failed commit leaves nothing visible and the output unusable.
     */
    public abstract void commit() throws IOException;

    /** Bytes written so far. */
    public abstract long bytesWritten();

    /** Discards the file unless it was committed. Idempotent. */
    @Override
    public abstract void close() throws IOException;
}
