package dev.cairn.serde;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.NoSuchElementException;

/**
 * The life cycle of a record reader in the {@link StreamFormat} framing; subclasses only decode.
 *
 * <p>{@link #hasNext()} returns {@code false} only after the end marker, a matching record count and
 * the end of data have all been seen, so {@code false} means the whole stream was read and checked
 * (including the compression codec's own trailer and checksum, which codecs verify at their end).
 * Any failure is sticky: a reader does not resynchronise after corrupt bytes.
 */
abstract class FramedRecordInput implements RecordInput {
    private final String serializer;
    private final byte kind;
    private final int newestVersion;
    private int version;
    private long index;
    private boolean headerRead;
    private boolean pending;
    private boolean ended;
    private boolean closed;
    private Throwable failure;

    /** A reader of {@code serializer}'s streams of format versions {@link StreamFormat#VERSION} to {@code newestVersion}. */
    FramedRecordInput(String serializer, byte kind, int newestVersion) {
        this.serializer = serializer;
        this.kind = kind;
        this.newestVersion = newestVersion;
    }

    /** The format version in the stream header; 0 until the header was read. */
    final int version() {
        return version;
    }

    /**
     * {@code in} with failures of the source (storage, decompression) reported with the stream
     * position: a codec's bare "Stream ended prematurely" says nothing about which record was lost.
     * Subclasses put this under their decoder's buffer.
     */
    final InputStream guard(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (IOException e) {
                    throw sourceFailure(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return in.read(b, off, len);
                } catch (IOException e) {
                    throw sourceFailure(e);
                }
            }

            @Override
            public long skip(long n) throws IOException {
                try {
                    return in.skip(n);
                } catch (IOException e) {
                    throw sourceFailure(e);
                }
            }
        };
    }

    private IOException sourceFailure(IOException e) {
        // "after N records", not "at record N": decoders read ahead, so the failing read may be far ahead.
        String message = "Cannot read record: " + serializer + " stream after " + index
                + " records (expected readable data, found " + StreamFormat.describe(e)
                + "; the source failed, or its compressed data is truncated or corrupt)";
        if (e instanceof EOFException) {
            EOFException eof = new EOFException(message);
            eof.initCause(e);
            return eof;
        }
        return new IOException(message, e);
    }

    /** Reads up to {@code buffer.length} bytes; returns how many, fewer only at the end of data. */
    abstract int readHeader(byte[] buffer) throws IOException;

    /** Reads and checks what a format writes after the common header; nothing by default. */
    void readFormatHeader() throws IOException {
    }

    /**
     * The next marker byte, or -1 at the end of data. {@code index} is the index the next record
     * would have. A format without a marker byte before each record may decode the record here and
     * return {@link StreamFormat#RECORD}; {@link #readRecord(long)} then hands it out.
     */
    abstract int readMarker(long index) throws IOException;

    /** Decodes one record; a stream ending inside it fails with {@link java.io.EOFException}. */
    abstract Object readRecord(long index) throws IOException;

    /** The record count after the end marker. */
    abstract long readCount() throws IOException;

    /** Whether the end of data follows. */
    abstract boolean atEndOfData() throws IOException;

    /** Releases everything and closes the underlying stream; {@code clean} is false after a failure. */
    abstract void closeStream(boolean clean) throws IOException;

    @Override
    public final boolean hasNext() throws IOException {
        checkUsable();
        if (pending) {
            return true;
        }
        if (ended) {
            return false;
        }
        try {
            if (!headerRead) {
                byte[] header = new byte[StreamFormat.HEADER_LENGTH];
                version = StreamFormat.checkHeader(serializer, kind, newestVersion, header, readHeader(header));
                readFormatHeader();
                headerRead = true;
            }
            int marker = readMarker(index);
            if (marker == StreamFormat.RECORD) {
                pending = true;
                return true;
            }
            if (marker == StreamFormat.END) {
                long count = readCount();
                if (count != index) {
                    throw StreamFormat.badCount(serializer, index, count);
                }
                if (!atEndOfData()) {
                    throw StreamFormat.trailingData(serializer, index);
                }
                ended = true;
                return false;
            }
            if (marker < 0) {
                throw StreamFormat.missingEnd(serializer, index);
            }
            throw StreamFormat.badMarker(serializer, index, marker);
        } catch (IOException | Error e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            // A decoder's unchecked failure on bad bytes is still bad bytes: callers handle IOException.
            IOException wrapped = StreamFormat.undecodable(serializer, index, e);
            failure = wrapped;
            throw wrapped;
        }
    }

    @Override
    public final Object next() throws IOException {
        if (!hasNext()) {
            throw new NoSuchElementException("Cannot read record: " + serializer + " stream after " + index
                    + " records (expected another record, found the end marker; call hasNext() first)");
        }
        pending = false;
        try {
            Object record = readRecord(index);
            index++;
            return record;
        } catch (IOException | Error e) {
            failure = e;
            throw e;
        } catch (RuntimeException e) {
            IOException wrapped = StreamFormat.undecodable(serializer, index, e);
            failure = wrapped;
            throw wrapped;
        }
    }

    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        closeStream(failure == null);
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IOException("Cannot read record: " + serializer + " stream after " + index
                    + " records (expected an open stream, found it closed)");
        }
        if (failure != null) {
            throw new IOException("Cannot read record: " + serializer + " stream at record index " + index
                    + " (expected a readable stream, found one whose earlier read failed)", failure);
        }
    }
}
