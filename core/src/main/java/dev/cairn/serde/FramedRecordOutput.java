package dev.cairn.serde;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The life cycle of a record writer in the {@link StreamFormat} framing; subclasses only encode.
 *
 * <p>A writer whose {@code write} or {@code flush} failed is poisoned: later calls fail, and
 * {@link #close()} closes the stream <em>without</em> the end marker, so whatever reached the
 * stream reads as truncated rather than as a complete, shorter partition. This matters because a
 * failed encoder may already have pushed half a record (or, for Java serialization, an exception
 * marker) into the stream.
 */
abstract class FramedRecordOutput implements RecordOutput {
    private final String serializer;
    private long count;
    private boolean headerWritten;
    private boolean closed;
    private Throwable failure;

    FramedRecordOutput(String serializer) {
        this.serializer = serializer;
    }

    /**
     * {@code out} with failures of the target (storage, compression) reported with the stream
     * position. Subclasses put this under their encoder's buffer.
     */
    final OutputStream guard(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                try {
                    out.write(b);
                } catch (IOException e) {
                    throw targetFailure(e);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                // FilterOutputStream's own version writes byte by byte.
                try {
                    out.write(b, off, len);
                } catch (IOException e) {
                    throw targetFailure(e);
                }
            }

            @Override
            public void flush() throws IOException {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw targetFailure(e);
                }
            }
        };
    }

    private IOException targetFailure(IOException e) {
        return new IOException("Cannot write record: " + serializer + " stream after " + count
                + " records (expected a writable target, found " + StreamFormat.describe(e) + "; the target or its"
                + " compression failed)", e);
    }

    /** Writes the stream header. Called once, before the first record or the end marker. */
    abstract void writeHeader() throws IOException;

    /**
     * Writes the {@link StreamFormat#RECORD} marker and the record. Throws {@link IOException} when the
     * stream fails and {@link dev.cairn.CairnException} when the record cannot be encoded.
     */
    abstract void writeRecord(Object record, long index) throws IOException;

    /** Writes the {@link StreamFormat#END} marker and {@code count}, then flushes. */
    abstract void writeEnd(long count) throws IOException;

    /** Pushes buffered bytes to the underlying stream. */
    abstract void flushBuffers() throws IOException;

    /**
     * Releases everything and closes the underlying stream. {@code complete} is false when the
     * stream is poisoned; implementations must not hand reusable state (a pooled Kryo) back then.
     */
    abstract void closeStream(boolean complete) throws IOException;

    @Override
    public final void write(Object record) throws IOException {
        checkUsable("write record");
        try {
            if (!headerWritten) {
                writeHeader();
                headerWritten = true;
            }
            writeRecord(record, count);
            count++;
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public final void flush() throws IOException {
        checkUsable("flush records");
        try {
            flushBuffers();
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Throwable primary = null;
        try {
            if (failure == null) {
                if (!headerWritten) {
                    writeHeader();
                    headerWritten = true;
                }
                writeEnd(count);
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            primary = e;
        } finally {
            try {
                closeStream(failure == null);
            } catch (IOException | RuntimeException | Error e) {
                if (primary == null) {
                    primary = e;
                } else {
                    primary.addSuppressed(e);
                }
            }
        }
        rethrow(primary);
    }

    private void checkUsable(String verb) throws IOException {
        if (closed) {
            throw new IOException("Cannot " + verb + ": " + serializer + " stream after " + count
                    + " records (expected an open stream, found it closed)");
        }
        if (failure != null) {
            throw new IOException("Cannot " + verb + ": " + serializer + " stream at record index " + count
                    + " (expected a usable stream, found one whose earlier write failed; start a new stream,"
                    + " this one reads back as truncated)", failure);
        }
    }

    private static void rethrow(Throwable t) throws IOException {
        if (t == null) {
            return;
        }
        if (t instanceof IOException) {
            throw (IOException) t;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        throw (Error) t;
    }
}
