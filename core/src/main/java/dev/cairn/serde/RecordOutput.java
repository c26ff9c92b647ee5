package dev.cairn.serde;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;

/** Writes records of one stream, in order. Not thread-safe. Nulls are valid records. */
public interface RecordOutput extends Closeable, Flushable {

    /** Appends one record. */
    void write(Object record) throws IOException;

    /** Pushes buffered bytes to the underlying stream (it does not flush that stream's own buffers beyond it). */
    @Override
    void flush() throws IOException;

    /** Flushes, ends the stream and closes the underlying stream. Idempotent. */
    @Override
    void close() throws IOException;
}
