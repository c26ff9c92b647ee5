package dev.cairn.serde;

import java.io.Serializable;

/**
 * How java format version 2 writes the boxed numbers of {@code java.lang}: as small carriers of
 * Cairn's own that read back as the boxed value ({@code readResolve}), not as themselves. A
 * {@code Long} is a {@code Number}, so Java serialization writes two class descriptors for it, and
 * after the reset that ends every record the reader builds both again for each record: for a
 * {@code (Long, double[4])} pair that was one descriptor in four, and 3 of its 63 bytes. A carrier
 * has one descriptor and no super class to describe. Nothing else changes: the reader gets the same
 * boxed value (identity of boxed numbers is not kept by Java serialization either), whether the
 * number is a record component, a field, an array element or written by a class's own
 * {@code writeObject}. {@code Boolean} and {@code Character} have no serializable super class and
 * are written as they are.
 */
final class BoxedNumbers {
    private BoxedNumbers() {
    }

    /** The carrier of {@code value} if it is a boxed {@code java.lang} number, else {@code value} itself. */
    static Object replace(Object value) {
        Class<?> type = value == null ? null : value.getClass();
        if (type == Long.class) {
            return new LongValue((Long) value);
        }
        if (type == Integer.class) {
            return new IntValue((Integer) value);
        }
        if (type == Double.class) {
            return new DoubleValue((Double) value);
        }
        if (type == Float.class) {
            return new FloatValue((Float) value);
        }
        if (type == Short.class) {
            return new ShortValue((Short) value);
        }
        if (type == Byte.class) {
            return new ByteValue((Byte) value);
        }
        return value;
    }

    /** Whether {@code type} is one of the carriers, which any allow-list admits as it admits the boxed numbers. */
    static boolean isCarrier(Class<?> type) {
        return type.getEnclosingClass() == BoxedNumbers.class;
    }

    /** Carries a {@code Long}. */
    static final class LongValue implements Serializable {
        private static final long serialVersionUID = 1L;
        private final long value;

        LongValue(long value) {
            this.value = value;
        }

        private Object readResolve() {
            return value;
        }
    }

    /** Carries an {@code Integer}. */
    static final class IntValue implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int value;

        IntValue(int value) {
            this.value = value;
        }

        private Object readResolve() {
            return value;
        }
    }

    /** Carries a {@code Double}. */
    static final class DoubleValue implements Serializable {
        private static final long serialVersionUID = 1L;
        private final double value;

        DoubleValue(double value) {
            this.value = value;
        }

        private Object readResolve() {
            return value;
        }
    }

    /** Carries a {@code Float}. */
    static final class FloatValue implements Serializable {
        private static final long serialVersionUID = 1L;
        private final float value;

        FloatValue(float value) {
            this.value = value;
        }

        private Object readResolve() {
            return value;
        }
    }

    /** Carries a {@code Short}. */
    static final class ShortValue implements Serializable {
        private static final long serialVersionUID = 1L;
        private final short value;

        ShortValue(short value) {
            this.value = value;
        }

        private Object readResolve() {
            return value;
        }
    }

    /** Carries a {@code Byte}. */
    static final class ByteValue implements Serializable {
        private static final long serialVersionUID = 1L;
        private final byte value;

        ByteValue(byte value) {
            this.value = value;
        }

        private Object readResolve() {
            return value;
        }
    }
}
