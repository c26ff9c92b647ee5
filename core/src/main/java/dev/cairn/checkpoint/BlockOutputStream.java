package dev.cairn.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * Cuts the bytes of a part file (format version 2) into checksummed blocks, so that a reader can
 * check every block before any of its bytes reach a decoder:
 *
 * <pre>
 *   ( length:int32 crc32c:int32 payload[length] )*    1 ≤ length ≤ block size
 *   0:int32 0:int32                                    end block
 * </pre>
 *
 * <p>Integers are big-endian; the CRC32C covers the payload. The end block tells a file cut at a
 * block boundary from a complete one. HDFS checks every 512 bytes the same way before it hands
 * data to a reader; blocks here are larger (64 KiB by default) because a part is read as a stream
 * and the header costs 8 bytes per block.
 *
 * <p>{@link #close()} writes the last partial block and the end block, flushes, and leaves the
 * underlying stream open: the part writer publishes it afterwards. Not thread-safe.
 */
final class BlockOutputStream extends OutputStream {
    private final OutputStream out;
    /** The header's 8 bytes, then the payload: one write per block. */
    private final byte[] block;
    private final int blockSize;
    private final CRC32C crc = new CRC32C();
    private int filled;
    private boolean closed;

    BlockOutputStream(OutputStream out, int blockSize) {
        this.out = out;
        this.blockSize = blockSize;
        this.block = new byte[HEADER + blockSize];
    }

    private static final int HEADER = 8;

    @Override
    public void write(int b) throws IOException {
        if (filled == blockSize) {
            writeBlock();
        }
        block[HEADER + filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (filled == blockSize) {
                writeBlock();
            }
            int n = Math.min(len, blockSize - filled);
            System.arraycopy(b, off, block, HEADER + filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    private void writeBlock() throws IOException {
        crc.reset();
        crc.update(block, HEADER, filled);
        putHeader(filled, (int) crc.getValue());
        out.write(block, 0, HEADER + filled);
        filled = 0;
    }

    private void putHeader(int length, int checksum) {
        block[0] = (byte) (length >>> 24);
        block[1] = (byte) (length >>> 16);
        block[2] = (byte) (length >>> 8);
        block[3] = (byte) length;
        block[4] = (byte) (checksum >>> 24);
        block[5] = (byte) (checksum >>> 16);
        block[6] = (byte) (checksum >>> 8);
        block[7] = (byte) checksum;
    }

    /** Pushes full blocks only: a partial block stays until more bytes come or the stream closes. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Writes the last block and the end block; the underlying stream stays open. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (filled > 0) {
            writeBlock();
        }
        putHeader(0, 0);
        out.write(block, 0, HEADER);
        out.flush();
    }
}
