package dev.cairn.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32C;

/**
 * Cuts the bytes of a part file (format version 3; version 2 for tests of older readers) into
 * checksummed blocks, so that a reader can check every block before any of its bytes reach a
 * decoder:
 *
 * <pre>
 *   ( length:int32 crc32c:int32 payload[length] )*    1 ≤ length ≤ block size
 *   0:int32 0:int32                                    end block
 * </pre>
 *
 * <p>Integers are big-endian. In format 3 a block's CRC32C covers its index (0 for the first
 * block, as an 8-byte big-endian integer) followed by its payload, so a block is only valid at
 * its own position: intact blocks swapped, dropped or repeated fail their check before any of
 * their bytes are decoded. In format 2 it covers the payload only. The end block tells a file cut
 * at a block boundary from a complete one. HDFS checks every 512 bytes the same way before it hands
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
    /** Format 3: the block index goes into each block's CRC32C. */
    private final boolean positional;
    private final byte[] index = new byte[8];
    private long blockIndex;
    private int filled;
    private boolean closed;

    /** A writer of format {@link CheckpointManifest#FORMAT_VERSION} blocks. */
    BlockOutputStream(OutputStream out, int blockSize) {
        this(out, blockSize, CheckpointManifest.FORMAT_VERSION);
    }

    /** A writer of the blocks of part format {@code formatVersion} (2 or 3). */
    BlockOutputStream(OutputStream out, int blockSize, int formatVersion) {
        if (formatVersion < 2) {
            throw new IllegalArgumentException("format " + formatVersion + " has no blocks");
        }
        this.out = out;
        this.blockSize = blockSize;
        this.block = new byte[HEADER + blockSize];
        this.positional = CheckpointManifest.blocksBoundToPosition(formatVersion);
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
        if (positional) {
            BlockInputStream.putLong(index, blockIndex);
            crc.update(index, 0, 8);
        }
        crc.update(block, HEADER, filled);
        blockIndex++;
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
