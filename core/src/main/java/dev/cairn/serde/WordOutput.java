package dev.cairn.serde;

import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.io.Output;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A Kryo {@link Output} that writes fixed-width doubles and floats with one little-endian word
 * store each instead of Kryo's eight (or four) single-byte stores, which JDK 17's compiler does not
 * merge. The bytes are exactly Kryo's: little-endian, {@link Double#doubleToLongBits} and
 * {@link Float#floatToIntBits} (NaNs canonical, as Kryo writes them). {@link BoundedInput} reads
 * them back the same way. Kryo's array serializers write {@code double[]} and {@code float[]}
 * through the bulk methods overridden here; other primitives Kryo writes variable-length.
 */
final class WordOutput extends Output {
    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    WordOutput(OutputStream out, int bufferSize) {
        super(out, bufferSize);
    }

    @Override
    public void writeDouble(double value) throws KryoException {
        require(8);
        LONGS.set(buffer, position, Double.doubleToLongBits(value));
        position += 8;
    }

    @Override
    public void writeFloat(float value) throws KryoException {
        require(4);
        INTS.set(buffer, position, Float.floatToIntBits(value));
        position += 4;
    }

    @Override
    public void writeDoubles(double[] array, int offset, int count) throws KryoException {
        if (((long) count << 3) > capacity) {
            super.writeDoubles(array, offset, count); // element by element, flushing as the buffer fills
            return;
        }
        require(count << 3);
        byte[] b = buffer;
        int p = position;
        for (int i = offset, end = offset + count; i < end; i++, p += 8) {
            LONGS.set(b, p, Double.doubleToLongBits(array[i]));
        }
        position = p;
    }

    @Override
    public void writeFloats(float[] array, int offset, int count) throws KryoException {
        if (((long) count << 2) > capacity) {
            super.writeFloats(array, offset, count);
            return;
        }
        require(count << 2);
        byte[] b = buffer;
        int p = position;
        for (int i = offset, end = offset + count; i < end; i++, p += 4) {
            INTS.set(b, p, Float.floatToIntBits(array[i]));
        }
        position = p;
    }
}
