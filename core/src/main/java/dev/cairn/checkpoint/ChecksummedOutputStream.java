package dev.cairn.checkpoint;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * Counts and CRC32C-checksums the bytes on their way to the store. {@link #close()} flushes but
 * leaves the underlying stream open: a {@link dev.cairn.storage.StorageOutput} discards on close,
 * so the part writer must close the record stream and then commit, in that order.
 */
final class ChecksummedOutputStream extends FilterOutputStream {
    private final CRC32C crc = new CRC32C();
    private long bytes;

    ChecksummedOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        crc.update(b);
        bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        crc.update(b, off, len);
        bytes += len;
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }

    long bytes() {
        return bytes;
    }

    long crc32c() {
        return crc.getValue();
    }
}
