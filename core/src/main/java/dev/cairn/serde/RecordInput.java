package dev.cairn.serde;

import java.io.Closeable;
import java.io.IOException;

/**
 * Reads back the records one {@link RecordOutput} wrote, in order. Not thread-safe.
 * A stream that ends in the middle of a record fails with an {@link IOException}
 * (typically {@link java.io.EOFException}), never with a silent short read.
 */
public interface RecordInput extends Closeable {

    /** Whether another record follows. */
    boolean hasNext() throws IOException;

    /** The next record; {@link java.util.NoSuchElementException} at the end. */
    Object next() throws IOException;
}
