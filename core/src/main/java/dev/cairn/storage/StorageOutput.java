package dev.cairn.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Objects;

/**
 * The output of one file being written. Bytes written are private to the writer until
 * {@link #commit()} publishes the file atomically; {@link #close()} without a commit discards
 * them, so a try-with-resources block cleans up a failed write by itself.
 *
 * <p>This class keeps the life cycle every backend shares, so that a backend only moves bytes:
 * <ul>
 *   <li>An output is open, then committed or closed, never open again. {@code write} and
 *       {@code commit} on a committed or closed output throw {@link IOException}; {@code flush}
 *       and {@code close} on a committed output do nothing, because stream wrappers flush and
 *       close after the commit.</li>
 *   <li>A file is published at most once: by the one {@code commit()} that succeeds.</li>
 *   <li>A failed {@code write} or {@code commit} discards everything and leaves the output
 *       closed.</li>
 *   <li><b>A stopped task publishes nothing</b>: {@code commit()} on a thread whose interrupt flag
 *       is set discards the file and throws {@link InterruptedIOException}. Engines stop tasks
 *       they have given up on by interrupting them (Spark does); a part such a task published
 *       after its job failed would be debris in a failed checkpoint.</li>
 *   <li>{@link #discard()} runs with the thread's interrupt flag cleared, and the flag is set
 *       again afterwards: clients such as Hadoop's RPC or the AWS SDK refuse to send a request on
 *       an interrupted thread, and the clean-up must still reach the store.</li>
 * </ul>
 * The storage TCK checks exactly this on every backend.
 *
 * <p>A backend implements {@link #writeBytes}, {@link #publish} and {@link #discard} (and
 * {@link #flushBytes} where flushing means something before the commit).
 *
 * <p>Not thread-safe: one writer thread per output.
 */
public abstract class StorageOutput extends OutputStream {
    private enum State { OPEN, COMMITTED, CLOSED }

    private final URI file;
    private State state = State.OPEN;

    /** @param file the file this output writes, for messages */
    protected StorageOutput(URI file) {
        this.file = Objects.requireNonNull(file, "file");
    }

    /** The file this output writes. */
    public final URI file() {
        return file;
    }

    @Override
    public final void write(int b) throws IOException {
        checkOpen("write");
        try {
            writeByte(b);
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    @Override
    public final void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen("write");
        if (len == 0) {
            return;
        }
        try {
            writeBytes(b, off, len);
        } catch (IOException | RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    /** Flushes while open; does nothing once committed or closed. */
    @Override
    public final void flush() throws IOException {
        if (state == State.OPEN) {
            flushBytes();
        }
    }

    /**
     * Publishes the file under its final name, whole and at once, with whatever durability the
     * backend promises (e.g. fsync or a completed upload). After it returns, {@link #close()}
     * does nothing. A failed commit leaves nothing visible and the output closed.
     *
     * @throws java.nio.file.FileAlreadyExistsException when the output may not overwrite and the
     *                                                   file exists
     * @throws InterruptedIOException                    on an interrupted thread (nothing is published)
     */
    public final void commit() throws IOException {
        checkOpen("commit");
        if (Thread.currentThread().isInterrupted()) {
            InterruptedIOException stopped = new InterruptedIOException("Cannot commit file: " + file + " (expected a running task,"
                    + " found its thread interrupted: a stopped task publishes nothing; the file was discarded)");
            fail(stopped);
            throw stopped;
        }
        state = State.CLOSED; // a failed commit leaves the output unusable
        try {
            publish();
        } catch (IOException | RuntimeException e) {
            discardUninterrupted(e);
            throw e;
        }
        state = State.COMMITTED;
    }

    /** Discards the file unless it was committed. Idempotent. */
    @Override
    public final void close() throws IOException {
        if (state != State.OPEN) {
            return;
        }
        state = State.CLOSED;
        boolean interrupted = Thread.interrupted();
        try {
            discard();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Appends bytes ({@code len > 0}, bounds checked). */
    protected abstract void writeBytes(byte[] b, int off, int len) throws IOException;

    /** Appends one byte; backends that buffer override it to avoid the array. */
    protected void writeByte(int b) throws IOException {
        writeBytes(new byte[] {(byte) b}, 0, 1);
    }

    /** Pushes buffered bytes toward the store before the commit, where that means something; nothing by default. */
    protected void flushBytes() throws IOException {
    }

    /**
     * Makes the file visible under its final name, atomically. When it throws, nothing may be
     * visible; the base class calls {@link #discard()} afterwards.
     */
    protected abstract void publish() throws IOException;

    /**
     * Drops everything written (a temporary file, an upload in progress). Called at most once:
     * on {@code close()} without a commit, or after a failed write or commit. Runs with the
     * thread's interrupt flag cleared.
     */
    protected abstract void discard() throws IOException;

    private void fail(Throwable cause) {
        state = State.CLOSED;
        discardUninterrupted(cause);
    }

    private void discardUninterrupted(Throwable cause) {
        boolean interrupted = Thread.interrupted();
        try {
            discard();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void checkOpen(String verb) throws IOException {
        if (state != State.OPEN) {
            throw new IOException("Cannot " + verb + " file: " + file + " (expected an open output, found it "
                    + (state == State.COMMITTED ? "committed" : "closed") + "; an output is written and committed once)");
        }
    }
}
