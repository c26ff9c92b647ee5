package dev.cairn.serde;

import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.io.Input;
import java.io.InputStream;

/**
 * A Kryo {@link Input} that refuses an array or string length asking for more bytes than the
 * record stream can still deliver (its buffered bytes plus what a {@link KnownLengthInputStream}
 * below says is left), before anything is allocated for it. Kryo reads a length and allocates the
 * array or the string's characters at once, so a damaged or hostile length of two billion would
 * otherwise exhaust the heap. Without a {@link KnownLengthInputStream} it checks nothing. It also
 * reads fixed-width doubles and floats one little-endian word at a time, the bytes
 * {@link WordOutput} (and Kryo's own {@code Output}) write.
 */
final class BoundedInput extends Input {
    private final InputStream source;

    /**
     * @param in     what Kryo reads from
     * @param size   the buffer size
     * @param source the record stream under {@code in}, a {@link KnownLengthInputStream} when its length is known
     */
    BoundedInput(InputStream in, int size, InputStream source) {
        super(in, size);
        this.source = source;
    }

    /** Refuses {@code count} elements of at least {@code size} bytes each when the stream holds fewer bytes. */
    private void check(long count, int size, String what) {
        if (count <= 0) {
            return;
        }
        long left = KnownLengthInputStream.remaining(source);
        if (left == Long.MAX_VALUE) {
            return;
        }
        left += limit - position;
        if (count * size > left) {
            throw new KryoException("Cannot read record: expected " + what + " of at most " + left + " bytes, the rest of the"
                    + " stream, found a length of " + count + (size > 1 ? " (at least " + count * size + " bytes)" : "")
                    + "; the stream is corrupt");
        }
    }

    /**
     * Refuses {@code count} elements of at least {@code size} bytes each when {@code input} is a
     * {@link BoundedInput} whose stream holds fewer bytes: for Kryo's serializers of collections,
     * maps and object arrays, which size their storage by the count before reading an element.
     */
    static void checkCount(com.esotericsoftware.kryo.kryo5.io.Input input, long count, int size, String what) {
        if (input instanceof BoundedInput b) {
            b.check(count, size, what);
        }
    }

    /**
     * Peeks the variable-length count + 1 that Kryo writes before an object array's elements (0
     * for null) and refuses it like {@link #checkCount}; nothing is consumed.
     */
    static void checkPeekedArrayLength(com.esotericsoftware.kryo.kryo5.io.Input input, String what) {
        if (!(input instanceof BoundedInput b) || KnownLengthInputStream.remaining(b.source) == Long.MAX_VALUE) {
            return;
        }
        if (b.optional(5) <= 0) {
            return;
        }
        int start = b.position;
        int length;
        try {
            length = b.readVarInt(true);
        } finally {
            b.position = start;
        }
        b.check((length & 0xffffffffL) - 1, 1, what);
    }

    /** The size of a var-encoded or fixed element: a var-encoded number takes at least one byte. */
    private int size(boolean variable, int fixed) {
        return variable && varEncoding ? 1 : fixed;
    }

    @Override
    public byte[] readBytes(int length) {
        check(length, 1, "bytes");
        return super.readBytes(length);
    }

    @Override
    public int[] readInts(int length) {
        check(length, 4, "an int[]");
        return super.readInts(length);
    }

    @Override
    public int[] readInts(int length, boolean optimizePositive) {
        check(length, size(true, 4), "an int[]");
        return super.readInts(length, optimizePositive);
    }

    @Override
    public long[] readLongs(int length) {
        check(length, 8, "a long[]");
        return super.readLongs(length);
    }

    @Override
    public long[] readLongs(int length, boolean optimizePositive) {
        check(length, size(true, 8), "a long[]");
        return super.readLongs(length, optimizePositive);
    }

    @Override
    public float[] readFloats(int length) {
        check(length, 4, "a float[]");
        if (length < 0 || ((long) length << 2) > capacity || optional(length << 2) != length << 2) {
            return super.readFloats(length);
        }
        float[] array = new float[length];
        byte[] b = buffer;
        int p = position;
        for (int i = 0; i < length; i++, p += 4) {
            array[i] = Float.intBitsToFloat((int) WordOutput.INTS.get(b, p));
        }
        position = p;
        return array;
    }

    // Fixed-width doubles and floats: one little-endian word load each (see WordOutput), the
    // values Kryo's byte-by-byte reads give.

    @Override
    public double readDouble() {
        require(8);
        double v = Double.longBitsToDouble((long) WordOutput.LONGS.get(buffer, position));
        position += 8;
        return v;
    }

    @Override
    public float readFloat() {
        require(4);
        float v = Float.intBitsToFloat((int) WordOutput.INTS.get(buffer, position));
        position += 4;
        return v;
    }

    @Override
    public double[] readDoubles(int length) {
        check(length, 8, "a double[]");
        if (length < 0 || ((long) length << 3) > capacity || optional(length << 3) != length << 3) {
            return super.readDoubles(length); // longer than the buffer: element by element, refilling
        }
        double[] array = new double[length];
        byte[] b = buffer;
        int p = position;
        for (int i = 0; i < length; i++, p += 8) {
            array[i] = Double.longBitsToDouble((long) WordOutput.LONGS.get(b, p));
        }
        position = p;
        return array;
    }

    @Override
    public short[] readShorts(int length) {
        check(length, 2, "a short[]");
        return super.readShorts(length);
    }

    @Override
    public char[] readChars(int length) {
        check(length, 2, "a char[]");
        return super.readChars(length);
    }

    @Override
    public boolean[] readBooleans(int length) {
        check(length, 1, "a boolean[]");
        return super.readBooleans(length);
    }

    @Override
    public String readString() {
        checkStringLength();
        return super.readString();
    }

    @Override
    public StringBuilder readStringBuilder() {
        checkStringLength();
        return super.readStringBuilder();
    }

    /**
     * A string that is not plain ASCII is written as its character count + 1 (a variable-length
     * int flagged in its first byte), then at least one byte per character: peeks the count.
     */
    private void checkStringLength() {
        if (KnownLengthInputStream.remaining(source) == Long.MAX_VALUE) {
            return;
        }
        int available = optional(5);
        if (available <= 0 || !readVarIntFlag()) {
            return; // the end of the stream (Kryo reports it), or ASCII, read without a length
        }
        int start = position;
        int count;
        try {
            count = readVarIntFlag(true);
        } finally {
            position = start;
        }
        check((count & 0xffffffffL) - 1, 1, "a string");
    }
}
