package dev.cairn.serde;

import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;

/**
 * The framing both built-in serializers share. A stream is
 *
 * <pre>
 *   'C' 'R' 'N' kind version      5-byte header; kind is 'K' (kryo) or 'J' (java)
 *   [format header]               kryo: 4-byte fingerprint of the options that change its bytes
 *   ( RECORD record-bytes )*      one marker byte before each record
 *   END count                     end marker and the number of records written
 *   end of data                   nothing may follow
 * </pre>
 *
 * <p>Each kind has its own version, so one format can change without touching the other: kryo
 * streams are at version {@value #VERSION}; java streams at version 2 have no marker byte before a
 * record (see {@link JavaSerializer}). A reader accepts every version from the first one up to its
 * own, so older checkpoints stay readable.
 *
 * <p>Why: neither Kryo nor Java serialization knows where a stream of records ends. Without the end
 * marker a file cut at a record boundary reads as a complete, shorter partition, and a compression
 * codec cannot always tell either (zstd reads an empty file as an empty stream). The header lets a
 * reader name what it found when handed the wrong format (the other serializer, or still-compressed
 * bytes); the count and the end-of-data check catch framing damage that happens to decode.
 */
final class StreamFormat {
    /** The first format version of every kind, and still the current one of kryo streams. */
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 5;
    /** Marker byte: a record follows. */
    static final int RECORD = 1;
    /** Marker byte: the stream ends; the record count follows. */
    static final int END = 0;

    private StreamFormat() {
    }

    static byte[] header(byte kind, int version) {
        return new byte[] {'C', 'R', 'N', kind, (byte) version};
    }

    /**
     * Checks the first {@code length} bytes of {@code found} (up to {@link #HEADER_LENGTH}) against
     * the header of {@code serializer}'s format, accepting versions {@link #VERSION} to {@code newest},
     * and returns the version found.
     */
    static int checkHeader(String serializer, byte kind, int newest, byte[] found, int length) throws IOException {
        if (length < HEADER_LENGTH) {
            throw new EOFException("Cannot read records: " + serializer + " stream header (expected "
                    + HEADER_LENGTH + " header bytes, found " + Math.max(length, 0)
                    + " before the end of data; the stream is empty or truncated)");
        }
        if (found[0] != 'C' || found[1] != 'R' || found[2] != 'N') {
            throw new StreamCorruptedException("Cannot read records: " + serializer + " stream header (expected "
                    + hex(header(kind, newest), HEADER_LENGTH) + ", found " + hex(found, length)
                    + "; this is not a Cairn record stream, or it is still compressed: check the compression"
                    + " recorded in the manifest)");
        }
        if (found[3] != kind) {
            throw new StreamCorruptedException("Cannot read records: " + serializer + " stream header (expected a "
                    + serializer + " stream, found a " + kindName(found[3])
                    + " stream; read it with the serializer recorded in the manifest)");
        }
        int version = found[4] & 0xff;
        if (version < VERSION || version > newest) {
            throw new StreamCorruptedException("Cannot read records: " + serializer + " stream header (expected format"
                    + " version " + (newest == VERSION ? Integer.toString(VERSION) : VERSION + " to " + newest)
                    + ", found version " + version + "; the stream was written by "
                    + (version > newest ? "a newer Cairn version: read it with that version or a later one)"
                            : "another Cairn version)"));
        }
        return version;
    }

    static EOFException truncated(String serializer, long index, Throwable cause) {
        EOFException e = new EOFException("Cannot read record: " + serializer + " stream at record index " + index
                + " (expected the rest of the record, found the end of data inside it; the stream is truncated)");
        e.initCause(cause);
        return e;
    }

    static EOFException missingEnd(String serializer, long index) {
        return new EOFException("Cannot read record: " + serializer + " stream after " + index
                + " records (expected a record or the end marker, found the end of data; the stream is truncated)");
    }

    static EOFException truncatedEnd(String serializer, Throwable cause) {
        EOFException e = new EOFException("Cannot read records: " + serializer + " stream end marker (expected the"
                + " record count after it, found the end of data; the stream is truncated)");
        e.initCause(cause);
        return e;
    }

    static StreamCorruptedException badMarker(String serializer, long index, int marker) {
        return new StreamCorruptedException("Cannot read record: " + serializer + " stream at record index " + index
                + " (expected marker byte " + RECORD + " or " + END + ", found " + marker
                + "; the stream is corrupt)");
    }

    static StreamCorruptedException badCount(String serializer, long index, long count) {
        return new StreamCorruptedException("Cannot read records: " + serializer + " stream end marker (expected a count"
                + " of " + index + " records, found " + count + "; the stream is corrupt)");
    }

    static StreamCorruptedException trailingData(String serializer, long index) {
        return new StreamCorruptedException("Cannot read records: " + serializer + " stream after its end marker and "
                + index + " records (expected the end of data, found more bytes; the stream is corrupt or two"
                + " streams were concatenated)");
    }

    /**
     * A record whose class (or a class it holds) resolves but cannot be linked here, such as a
     * {@link NoClassDefFoundError} for a dependency missing from the class path. Its cause is the
     * {@link LinkageError}, by which a reader tells it from damage.
     */
    static IOException unlinkable(String serializer, long index, String className, LinkageError cause) {
        return new IOException("Cannot read record: " + serializer + " stream at record index " + index
                + " (expected record classes this process can load and link, found "
                + (className == null || describe(cause).contains(className) ? "" : "class " + className + " failing with ")
                + describe(cause)
                + "; put the record classes and their dependencies on the class path)", cause);
    }

    /** {@code e} as a {@link NoClassDefFoundError} that names {@code className}, the class being loaded. */
    static NoClassDefFoundError naming(String className, LinkageError e) {
        if (e.getMessage() != null && e.getMessage().startsWith("cannot link class ")) {
            return e instanceof NoClassDefFoundError n ? n : (NoClassDefFoundError) new NoClassDefFoundError(e.getMessage()).initCause(e);
        }
        NoClassDefFoundError named = new NoClassDefFoundError("cannot link class " + className + ": " + e);
        named.initCause(e);
        return named;
    }

    static IOException undecodable(String serializer, long index, Throwable cause) {
        return new IOException("Cannot read record: " + serializer + " stream at record index " + index
                + " (expected a decodable record, found " + describe(cause)
                + "; the stream is corrupt, or a record class is missing or changed)", cause);
    }

    /** The first line of {@code t}'s message with its type; Kryo appends multi-line traces. */
    static String describe(Throwable t) {
        String m = t.getMessage();
        if (m == null) {
            return t.getClass().getName();
        }
        int nl = m.indexOf('\n');
        return t.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
    }

    private static String kindName(byte kind) {
        switch (kind) {
            case KryoSerializer.KIND:
                return KryoSerializer.NAME;
            case JavaSerializer.KIND:
                return JavaSerializer.NAME;
            default:
                return "unknown (kind byte " + (kind & 0xff) + ")";
        }
    }

    private static String hex(byte[] bytes, int length) {
        StringBuilder sb = new StringBuilder("bytes [");
        for (int i = 0; i < Math.min(length, bytes.length); i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02x", bytes[i] & 0xff));
        }
        return sb.append(']').toString();
    }
}
