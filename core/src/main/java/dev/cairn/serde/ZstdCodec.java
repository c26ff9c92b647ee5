package dev.cairn.serde;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * zstd-jni calls, kept out of {@link Compression} so that class loads without the optional library.
 * The {@code NoFinalizer} variants: streams are always closed by their owners, and finalizers only
 * delay freeing native memory and are deprecated.
 */
final class ZstdCodec {
    private ZstdCodec() {
    }

    static OutputStream compress(OutputStream out) throws IOException {
        ZstdOutputStreamNoFinalizer zstd = new ZstdOutputStreamNoFinalizer(out);
        zstd.setChecksum(true);
        return zstd;
    }

    static InputStream decompress(InputStream in) throws IOException {
        return new ZstdInputStreamNoFinalizer(in);
    }
}
