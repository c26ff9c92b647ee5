package dev.cairn.serde;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StreamCorruptedException;

/**
 * A record stream whose length is known before it is read, or at least an upper bound of it
 * (checkpoint readers know it from the manifest). The built-in serializers read a length from the
 * stream (an array's, a string's, a collection's) before they allocate for it; given this stream,
 * they refuse a length that asks for more than the stream can still deliver, as corrupt, instead
 * of attempting an allocation that would exhaust the heap. Bytes beyond {@link #length()} are
 * refused as corrupt too.
 *
 * <p>Not thread-safe.
 */
public final class KnownLengthInputStream extends FilterInputStream {
    private final long length;
    private long consumed;

    /**
     * @param in     the record stream
     * @param length the most bytes it holds
     */
    public KnownLengthInputStream(InputStream in, long length) {
        super(in);
        if (length < 0) {
            throw new IllegalArgumentException("length " + length + " < 0");
        }
        this.length = length;
    }

    /** The most bytes the stream holds. */
    public long length() {
        return length;
    }

    /** Bytes read so far. */
    public long consumed() {
        return consumed;
    }

    /** Bytes the stream can still deliver, at most. */
    public long remaining() {
        return length - consumed;
    }

    /** {@link #remaining()} of {@code in}, or {@link Long#MAX_VALUE} when {@code in} is not one (or holds no limit). */
    static long remaining(InputStream in) {
        return in instanceof KnownLengthInputStream k && k.length() < Long.MAX_VALUE / 2 ? k.remaining() : Long.MAX_VALUE;
    }

    @Override
    public int read() throws IOException {
        if (consumed >= length) {
            return atEnd();
        }
        int b = in.read();
        if (b >= 0) {
            consumed++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (consumed >= length) {
            return atEnd();
        }
        int n = in.read(b, off, (int) Math.min(len, length - consumed));
        if (n > 0) {
            consumed += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(Math.min(n, length - consumed));
        consumed += skipped;
        return skipped;
    }

    private int atEnd() throws IOException {
        if (in.read() < 0) {
            return -1;
        }
        throw new StreamCorruptedException("Cannot read records: the record stream (expected at most " + length
                + " bytes, found more; the stream is corrupt)");
    }
}
