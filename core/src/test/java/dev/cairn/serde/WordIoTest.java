package dev.cairn.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link WordOutput} and {@link BoundedInput} store and load doubles and floats a word at a time:
 * checkpoints must keep Kryo's exact bytes (older files read, other Kryo readers read ours), so
 * every value, NaN payloads included, is compared byte for byte against Kryo's own
 * {@link Output} and {@link Input}, with arrays shorter than, straddling and longer than the buffer.
 */
class WordIoTest {
    private static final double[] SPECIAL_DOUBLES = {0.0, -0.0, 1.0, -1.5, Double.MIN_VALUE, Double.MAX_VALUE,
            Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, Double.longBitsToDouble(0x7ff8_dead_beef_0001L),
            Double.longBitsToDouble(0xfff0_0000_0000_0001L), Math.PI};
    private static final float[] SPECIAL_FLOATS = {0f, -0f, 1f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN,
            Float.intBitsToFloat(0x7fc0_1234), Float.NEGATIVE_INFINITY};

    /** A stream of single values and arrays of many lengths, written through {@code out}. */
    private static byte[] write(Output out, ByteArrayOutputStream sink, long seed) {
        Random random = new Random(seed);
        for (double d : SPECIAL_DOUBLES) {
            out.writeDouble(d);
        }
        for (float f : SPECIAL_FLOATS) {
            out.writeFloat(f);
        }
        out.writeDoubles(SPECIAL_DOUBLES, 0, SPECIAL_DOUBLES.length);
        out.writeFloats(SPECIAL_FLOATS, 2, SPECIAL_FLOATS.length - 2);
        for (int length : new int[] {0, 1, 3, 4, 7, 9, 31, 64, 100, 257}) {
            out.writeVarInt(length, true); // an odd offset before each array: unaligned words
            out.writeDoubles(randomDoubles(random, length), 0, length);
            out.writeFloats(randomFloats(random, length), 0, length);
        }
        out.flush();
        return sink.toByteArray();
    }

    private static double[] randomDoubles(Random random, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = Double.longBitsToDouble(random.nextLong());
        }
        return a;
    }

    private static float[] randomFloats(Random random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = Float.intBitsToFloat(random.nextInt());
        }
        return a;
    }

    /** Reads back what {@link #write} wrote, as raw bit patterns, so NaNs compare exactly. */
    private static long[] read(Input in) {
        long[] bits = new long[4096];
        int n = 0;
        for (int i = 0; i < SPECIAL_DOUBLES.length; i++) {
            bits[n++] = Double.doubleToRawLongBits(in.readDouble());
        }
        for (int i = 0; i < SPECIAL_FLOATS.length; i++) {
            bits[n++] = Float.floatToRawIntBits(in.readFloat());
        }
        for (double d : in.readDoubles(SPECIAL_DOUBLES.length)) {
            bits[n++] = Double.doubleToRawLongBits(d);
        }
        for (float f : in.readFloats(SPECIAL_FLOATS.length - 2)) {
            bits[n++] = Float.floatToRawIntBits(f);
        }
        for (int length : new int[] {0, 1, 3, 4, 7, 9, 31, 64, 100, 257}) {
            assertEquals(length, in.readVarInt(true));
            for (double d : in.readDoubles(length)) {
                bits[n++] = Double.doubleToRawLongBits(d);
            }
            for (float f : in.readFloats(length)) {
                bits[n++] = Float.floatToRawIntBits(f);
            }
        }
        return Arrays.copyOf(bits, n);
    }

    @Test
    void writesKryosExactBytesAndReadsTheSameValues() {
        for (int bufferSize : new int[] {16, 24, 100, 1024, 65536}) {
            for (long seed = 1; seed <= 5; seed++) {
                ByteArrayOutputStream kryoSink = new ByteArrayOutputStream();
                byte[] kryoBytes = write(new Output(kryoSink, bufferSize), kryoSink, seed);
                ByteArrayOutputStream wordSink = new ByteArrayOutputStream();
                byte[] wordBytes = write(new WordOutput(wordSink, bufferSize), wordSink, seed);
                assertArrayEquals(kryoBytes, wordBytes, "buffer " + bufferSize + ", seed " + seed);

                long[] byKryo = read(new Input(new ByteArrayInputStream(kryoBytes), bufferSize));
                ByteArrayInputStream bytes = new ByteArrayInputStream(kryoBytes);
                long[] byWords = read(new BoundedInput(bytes, bufferSize, bytes));
                assertArrayEquals(byKryo, byWords, "buffer " + bufferSize + ", seed " + seed);
            }
        }
    }

    @Test
    void aTruncatedArrayFailsAsKryosDoes() {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        WordOutput out = new WordOutput(sink, 1024);
        out.writeDoubles(new double[] {1, 2, 3, 4}, 0, 4);
        out.flush();
        byte[] cut = Arrays.copyOf(sink.toByteArray(), 29); // three and a half doubles
        ByteArrayInputStream bytes = new ByteArrayInputStream(cut);
        assertThrows(KryoException.class, () -> new BoundedInput(bytes, 1024, bytes).readDoubles(4));
        ByteArrayInputStream single = new ByteArrayInputStream(Arrays.copyOf(cut, 5));
        assertThrows(KryoException.class, () -> new BoundedInput(single, 1024, single).readDouble());
    }
}
