package dev.cairn.serde;

import dev.cairn.CairnException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The compression codec under a record stream, chosen per checkpoint and recorded in its manifest by
 * {@link #id()} (the value of option {@code cairn.checkpoint.compression}).
 *
 * <p>The codec libraries are optional dependencies of Cairn: using {@link #LZ4} or {@link #ZSTD}
 * without them on the class path fails with a {@link CairnException} naming the Maven artifact to
 * add. Both codecs checksum their content and detect truncation on their own; the serializers'
 * end marker detects it regardless, including for {@link #NONE}.
 *
 * <p>Stateless and thread-safe; each wrapped stream belongs to one thread.
 */
public enum Compression {
    /** No compression: {@code wrap} returns the stream itself. */
    NONE("none", null, null),
    /**
     * LZ4 frame format (lz4-java's {@code LZ4FrameOutputStream}) with 64 KiB independent blocks and a
     * content checksum. The frame format rather than lz4-java's own block-stream format because it is
     * the standard one, readable by the {@code lz4} command line tool when inspecting a checkpoint by
     * hand, and carries a checksum over the whole content; 64 KiB blocks instead of the 4 MiB default
     * keep the buffers of many concurrently open partitions small.
     */
    LZ4("lz4", "org.lz4:lz4-java", "net.jpountz.lz4.LZ4FrameOutputStream"),
    /** Zstandard (zstd-jni, native code) at its default level 3, with a frame checksum. */
    ZSTD("zstd", "com.github.luben:zstd-jni", "com.github.luben.zstd.ZstdOutputStreamNoFinalizer");

    private final String id;
    private final String artifact;
    private final String probeClass;

    Compression(String id, String artifact, String probeClass) {
        this.id = id;
        this.artifact = artifact;
        this.probeClass = probeClass;
    }

    /** The stable id recorded in manifests: {@code none}, {@code lz4} or {@code zstd}. */
    public String id() {
        return id;
    }

    /**
     * The codec with {@code id}, ignoring case and surrounding blanks.
     *
     * @throws CairnException when {@code id} is not a known codec id; the message lists the valid ids
     */
    public static Compression fromId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        for (Compression c : values()) {
            if (c.id.equals(wanted)) {
                return c;
            }
        }
        throw new CairnException("Cannot select compression '" + id + "': codec ids (expected one of "
                + validIds() + ", found '" + id + "'; check option cairn.checkpoint.compression or the manifest)");
    }

    /** Whether this codec's library is on the class path (and, for zstd, its native library loads). */
    public boolean isAvailable() {
        try {
            requireAvailable();
            return true;
        } catch (CairnException e) {
            return false;
        }
    }

    /**
     * A stream compressing into {@code out}. Closing it finishes the compressed data and closes
     * {@code out}. If this method throws, {@code out} has been closed, so a caller can hand the stream
     * over without a try block of its own.
     *
     * @throws CairnException when the codec library is missing
     * @throws IOException when the codec fails to write its header
     */
    public OutputStream wrap(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        if (this == NONE) {
            return out;
        }
        try {
            requireAvailable();
            return this == LZ4 ? Lz4Codec.compress(out) : ZstdCodec.compress(out);
        } catch (LinkageError e) {
            closeQuietly(out, e);
            throw linkFailure(e);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(out, e);
            throw e;
        }
    }

    /**
     * A stream decompressing {@code in}. Closing it closes {@code in}. If this method throws,
     * {@code in} has been closed. Truncated or corrupt compressed data fails with an
     * {@link IOException} when read (for lz4, possibly already here, where it reads the frame header).
     *
     * @throws CairnException when the codec library is missing
     * @throws IOException when the codec fails to read its header
     */
    public InputStream wrap(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        if (this == NONE) {
            return in;
        }
        try {
            requireAvailable();
            return this == LZ4 ? Lz4Codec.decompress(in) : ZstdCodec.decompress(in);
        } catch (LinkageError e) {
            closeQuietly(in, e);
            throw linkFailure(e);
        } catch (IOException e) {
            IOException context = new IOException("Cannot start decompressing: " + id + " stream header (expected "
                    + id + "-compressed data, found " + StreamFormat.describe(e)
                    + "; the data is truncated, corrupt or not compressed with " + id + ")", e);
            closeQuietly(in, context);
            throw context;
        } catch (RuntimeException | Error e) {
            closeQuietly(in, e);
            throw e;
        }
    }

    /**
     * Checks the codec classes before touching them. The codec calls live in separate classes
     * ({@link Lz4Codec}, {@link ZstdCodec}) so that loading this enum never needs them.
     */
    /**
     * Fails with a {@link CairnException} naming the Maven artifact to add when this codec's
     * library is not on the class path; does nothing otherwise.
     */
    public void requireAvailable() {
        if (probeClass == null) {
            return;
        }
        try {
            Class.forName(probeClass, false, Compression.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new CairnException("Cannot use compression " + id + ": class path (expected " + artifact
                    + ", found no class " + probeClass + "; add the dependency " + artifact
                    + " to your build, it is optional in cairn-core)", e);
        }
    }

    /** The codec's classes are present but did not link, typically zstd's native library on an unsupported platform. */
    private CairnException linkFailure(LinkageError e) {
        return new CairnException("Cannot use compression " + id + ": platform " + System.getProperty("os.name")
                + "/" + System.getProperty("os.arch") + " (expected " + artifact + " to load, found "
                + StreamFormat.describe(e) + "; use another compression or a platform the library supports)", e);
    }

    private static void closeQuietly(AutoCloseable stream, Throwable failure) {
        try {
            stream.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    private static String validIds() {
        return Arrays.stream(values()).map(Compression::id).collect(Collectors.joining(", "));
    }
}
