package dev.cairn.checkpoint;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32C;

/**
 * Reads the blocks {@link BlockOutputStream} wrote and hands out a block's bytes only after its
 * CRC32C matched, so no byte of a damaged block ever reaches the decoder above. A block header
 * that announces more than the block size is refused before anything is allocated for it. In
 * format 3 the CRC32C covers the block's index too, so an intact block at the wrong position
 * (blocks swapped, dropped or repeated) fails its check as well; format 2 blocks are checked
 * against their payload only.
 *
 * <p>Failures are {@link DamagedBlockException}s naming the block and its offset in the file;
 * a failure of the stream below passes through unchanged (it is the store's, not the data's).
 * Not thread-safe.
 */
final class BlockInputStream extends InputStream {
    private final InputStream in;
    private final byte[] block;
    private final byte[] header = new byte[8];
    private final CRC32C crc = new CRC32C();
    private final boolean positional;
    private final byte[] index = new byte[8];
    private int position;
    private int limit;
    private long blockIndex = -1;
    private long offset;
    private boolean ended;

    /** A checksum, length or framing mismatch: the bytes are not what was written. */
    static final class DamagedBlockException extends IOException {
        private static final long serialVersionUID = 1L;

        DamagedBlockException(String message) {
            super(message);
        }
    }

    /** A reader of the blocks of part format {@code formatVersion} (2 or 3). */
    BlockInputStream(InputStream in, int blockSize, int formatVersion) {
        this.in = in;
        this.block = new byte[blockSize];
        this.positional = CheckpointManifest.blocksBoundToPosition(formatVersion);
    }

    /** {@code value} as 8 big-endian bytes at the start of {@code into}. */
    static void putLong(byte[] into, long value) {
        for (int i = 7; i >= 0; i--) {
            into[i] = (byte) value;
            value >>>= 8;
        }
    }

    @Override
    public int read() throws IOException {
        if (position == limit && !nextBlock()) {
            return -1;
        }
        return block[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position == limit && !nextBlock()) {
            return -1;
        }
        int n = Math.min(len, limit - position);
        System.arraycopy(block, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public int available() {
        return limit - position;
    }

    private boolean nextBlock() throws IOException {
        if (ended) {
            return false;
        }
        blockIndex++;
        long headerOffset = offset;
        int got = readFully(header, 8);
        if (got < 8) {
            throw new DamagedBlockException("expected the header of block " + blockIndex + " at byte " + headerOffset
                    + ", found the end of the file after " + got + " of its 8 bytes (the file is truncated)");
        }
        int length = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        int checksum = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
        if (length == 0) {
            if (checksum != 0) {
                throw new DamagedBlockException("expected an end block (length 0, checksum 0) at byte " + headerOffset
                        + ", found checksum " + Integer.toHexString(checksum));
            }
            ended = true;
            if (in.read() >= 0) {
                throw new DamagedBlockException("expected the end of the file after the end block at byte " + headerOffset
                        + ", found more bytes");
            }
            return false;
        }
        if (length < 0 || length > block.length) {
            throw new DamagedBlockException("expected block " + blockIndex + " at byte " + headerOffset + " to hold 1 to "
                    + block.length + " bytes, found a header announcing " + (length & 0xffffffffL));
        }
        int read = readFully(block, length);
        if (read < length) {
            throw new DamagedBlockException("expected " + length + " bytes in block " + blockIndex + " at byte " + headerOffset
                    + ", found the end of the file after " + read + " (the file is truncated)");
        }
        crc.reset();
        if (positional) {
            putLong(index, blockIndex);
            crc.update(index, 0, 8);
        }
        crc.update(block, 0, length);
        if ((int) crc.getValue() != checksum) {
            throw new DamagedBlockException("expected CRC32C " + String.format("%08x", checksum) + " for block " + blockIndex
                    + " (bytes " + (headerOffset + 8) + " to " + (headerOffset + 8 + length - 1) + "), found "
                    + String.format("%08x", (int) crc.getValue()) + (positional
                            ? "; the block was changed or damaged after it was written, or is not at its place in the file"
                            : "; the block was changed or damaged after it was written"));
        }
        position = 0;
        limit = length;
        return true;
    }

    private int readFully(byte[] into, int length) throws IOException {
        int total = 0;
        while (total < length) {
            int n = in.read(into, total, length - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        offset += total;
        return total;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
