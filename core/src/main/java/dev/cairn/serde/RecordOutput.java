package dev.cairn.serde;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;

/**
 * Writes records of one stream, in order. Not thread-safe. Nulls are valid records.
 *
 * <p>The stream is complete only once {@link #close()} returns: it writes the end marker a reader
 * needs to tell a whole stream from a truncated one. If a {@code write} or {@code flush} fails, the
 * writer is unusable and its {@code close()} leaves the end marker out, so the partial stream can
 * never be read as a complete one.
 */
public interface RecordOutput extends Closeable, Flushable {

    /**
     * Appends one record. Each record is encoded on its own: an object written, changed and written
     * again is read back in both states.
     *
     * @throws IOException when the underlying stream fails, or this writer is closed or failed before
     * @throws dev.cairn.CairnException when the serializer cannot encode {@code record}; the message
     *     names its class and index
     */
    void write(Object record) throws IOException;

    /**
     * Pushes buffered bytes to the underlying stream and flushes it. The bytes written so far are then
     * a readable prefix, but not a complete stream; whether they are durable is up to the stream.
     */
    @Override
    void flush() throws IOException;

    /**
     * Writes the end marker, flushes and closes the underlying stream (always, even when writing the
     * end fails). Idempotent. After a failed write it only closes the underlying stream.
     */
    @Override
    void close() throws IOException;
}
