package dev.cairn.checkpoint;

import java.util.Iterator;

/**
 * The records of one part file, read as a stream and verified while they are read: with format
 * versions 2 and 3 every block's CRC32C is checked before any of its bytes are decoded, so no
 * record from a damaged region reaches the caller (with version 3, nor from an intact block at
 * the wrong place: swapped, dropped or repeated); when the records end, the record count, byte length and
 * CRC32C of the whole file are checked against the manifest. Problems are thrown from
 * {@link #hasNext()} or {@link #next()} as {@link dev.cairn.CorruptPartException} (the bytes are
 * wrong), {@link dev.cairn.CheckpointIOException} (the store failed) or
 * {@link dev.cairn.IncompatibleCheckpointException} (a record's class, or a class it needs, is not
 * on this class path),
 * each naming the file.
 *
 * <p>Close it when done, also when stopping early; closing twice is harmless. Not thread-safe.
 *
 * @param <T> record type
 */
public interface PartIterator<T> extends Iterator<T>, AutoCloseable {

    /** Records handed out so far. */
    long recordsRead();

    /** Releases the file. Idempotent; never throws. */
    @Override
    void close();
}
