package dev.cairn.serde;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads back the records one {@link RecordOutput} wrote, in order. Not thread-safe.
 * A stream that ends early, in the middle of a record or between two, fails with an
 * {@link IOException} (typically {@link java.io.EOFException}), never with a silent short read.
 * Closing the reader closes the underlying stream, whether or not all records were read.
 */
public interface RecordInput extends Closeable {

    /**
     * Whether another record follows. Returns {@code false} only after the end marker, the record
     * count and the end of data were all seen, so a {@code false} means the stream was complete.
     * Idempotent until {@link #next()} is called.
     *
     * @throws java.io.EOFException when the data ends before the end marker (a truncated stream)
     * @throws IOException when the bytes are not a stream of this serializer, or are corrupt; failures
     *     are sticky, later calls throw again
     */
    boolean hasNext() throws IOException;

    /**
     * The next record, which may be {@code null}.
     *
     * @throws java.util.NoSuchElementException after the last record
     * @throws IOException as {@link #hasNext()}, or when the record cannot be decoded (for instance its
     *     class cannot be loaded)
     */
    Object next() throws IOException;
}
