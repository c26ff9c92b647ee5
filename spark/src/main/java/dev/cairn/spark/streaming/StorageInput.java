package dev.cairn.spark.streaming;

import dev.cairn.storage.Storage;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import org.apache.hadoop.fs.PositionedReadable;
import org.apache.hadoop.fs.Seekable;

/**
 * A Cairn storage read as Hadoop's {@code FSDataInputStream} needs it: that class accepts only
 * streams that can seek and read at a position. Spark reads checkpoint files front to back, so
 * both are served simply: seeking forward skips, seeking back opens the file again, and a
 * positioned read opens a second stream of its own (it must not move this one).
 *
 * <p>Not thread-safe, like the streams it wraps; the positioned reads are safe to call
 * concurrently with each other because each opens its own stream.
 */
final class StorageInput extends InputStream implements Seekable, PositionedReadable {
    private final Storage storage;
    private final URI file;
    private InputStream in;
    private long pos;

    StorageInput(Storage storage, URI file) throws IOException {
        this.storage = storage;
        this.file = file;
        this.in = storage.open(file);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            pos++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            pos += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = in.skip(n);
        pos += skipped;
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Moves to {@code target}: forward by skipping, back by opening the file again. */
    @Override
    public void seek(long target) throws IOException {
        if (target < 0) {
            throw new EOFException("Cannot seek in checkpoint file: " + file + " (expected a position >= 0, found " + target + ")");
        }
        if (target < pos) {
            InputStream fresh = storage.open(file);
            in.close();
            in = fresh;
            pos = 0;
        }
        skipTo(in, target - pos, target);
        pos = target;
    }

    @Override
    public long getPos() {
        return pos;
    }

    /** There is one copy of the file as far as this stream knows. */
    @Override
    public boolean seekToNewSource(long targetPos) {
        return false;
    }

    @Override
    public int read(long position, byte[] buffer, int offset, int length) throws IOException {
        try (InputStream s = storage.open(file)) {
            skipTo(s, position, position);
            int total = 0;
            while (total < length) {
                int n = s.read(buffer, offset + total, length - total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
            return total == 0 && length > 0 ? -1 : total;
        }
    }

    @Override
    public void readFully(long position, byte[] buffer, int offset, int length) throws IOException {
        if (read(position, buffer, offset, length) < length) {
            throw new EOFException("Cannot read checkpoint file: " + file + " (expected " + length + " bytes at position "
                    + position + ", found the end of the file before)");
        }
    }

    @Override
    public void readFully(long position, byte[] buffer) throws IOException {
        readFully(position, buffer, 0, buffer.length);
    }

    private void skipTo(InputStream s, long n, long target) throws IOException {
        try {
            s.skipNBytes(n);
        } catch (EOFException e) {
            EOFException beyond = new EOFException("Cannot seek in checkpoint file: " + file + " (expected a position within the"
                    + " file, found " + target + " beyond its end)");
            beyond.initCause(e);
            throw beyond;
        }
    }
}
