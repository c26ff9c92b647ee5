package dev.cairn.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

/** lz4-java calls, kept out of {@link Compression} so that class loads without the optional library. */
final class Lz4Codec {
    private Lz4Codec() {
    }

    static OutputStream compress(OutputStream out) throws IOException {
        return new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
                LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.CONTENT_CHECKSUM);
    }

    static InputStream decompress(InputStream in) throws IOException {
        // Reads concatenated frames (the default): trailing bytes after our frame then fail as a bad
        // frame instead of being silently ignored.
        return new LZ4FrameInputStream(in);
    }
}
