package dev.cairn.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import com.esotericsoftware.kryo.kryo5.serializers.RecordSerializer;
import com.esotericsoftware.kryo.kryo5.util.DefaultInstantiatorStrategy;
import dev.cairn.serde.RecordStreams.Point;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import com.esotericsoftware.kryo.kryo5.objenesis.strategy.StdInstantiatorStrategy;

/**
 * {@link FastRecordSerializer} must write exactly what Kryo's own {@link RecordSerializer} writes, for
 * every record, so checkpoints written before it existed still read. Each record below is written by
 * a Kryo that uses Kryo's serializer for all records and by one that uses the fast one for all
 * records; the bytes must be equal, and each must read the other's bytes.
 */
class FastRecordSerializerTest {

    /** Pair-like: two components of a type variable, so written with their classes. */
    record Generic<K, V>(K key, V value) {
    }

    /** Every primitive type, declared out of name order. */
    record Primitives(long l, int i, boolean z, byte b, char c, short s, float f, double d) {
    }

    /** Types Kryo treats as final: written without their class, null or not. */
    record Finals(String name, long[] values, int[][] grid, Integer boxed, Point point, Point[] points,
                  Thread.State state) {
    }

    /** Declaration order is not Kryo's order: components are written sorted by name. */
    record Unordered(int zeta, String alpha, Object mid, double beta) {
    }

    /** Records inside records, as final (records are final) and as polymorphic components. */
    record Nested(Generic<String, Integer> inner, Primitives primitives, Object anything, List<Object> list) {
    }

    record Empty() {
    }

    /** Not public, with a compact constructor: Kryo's serializer reaches it by setAccessible. */
    private record Checked(int positive, Object[] objects) {
        Checked {
            if (positive <= 0) {
                throw new IllegalArgumentException("positive must be > 0, was " + positive);
            }
        }
    }

    private static List<Object> records() {
        List<Object> r = new ArrayList<>();
        r.add(new Generic<>(1L, new double[] {0.5, Math.sqrt(2), -0.25, Double.NaN}));
        r.add(new Generic<>(null, "value"));
        r.add(new Generic<>("key", null));
        r.add(new Generic<>(null, null));
        r.add(new Generic<>(new Generic<>(1, "a"), List.of(2, 3)));
        r.add(new Generic<>(-7L, Long.MIN_VALUE));
        r.add(new Primitives(Long.MIN_VALUE, -1, true, Byte.MIN_VALUE, 'é', Short.MAX_VALUE, Float.NaN, -0.0));
        r.add(new Primitives(Long.MAX_VALUE, Integer.MAX_VALUE, false, (byte) 1, '\0', (short) -2, 1.5f, Double.MAX_VALUE));
        r.add(new Primitives(0, 0, false, (byte) 0, 'a', (short) 0, 0f, 0d));
        r.add(new Finals("n", new long[] {1, -1, Long.MAX_VALUE}, new int[][] {{1}, {}, null}, 42, new Point(1, 2),
                new Point[] {new Point(3, 4), null}, Thread.State.BLOCKED));
        r.add(new Finals(null, null, null, null, null, null, null));
        r.add(new Unordered(9, "first", new Point(5, 6), 2.5));
        r.add(new Unordered(-9, null, null, -2.5));
        r.add(new Nested(new Generic<>("x", 1), new Primitives(1, 2, true, (byte) 3, 'c', (short) 4, 5f, 6d),
                new Unordered(1, "a", 2L, 3d), new ArrayList<>(List.of("l", 1, new Empty()))));
        r.add(new Nested(null, null, new Empty(), null));
        r.add(new Empty());
        r.add(new Checked(3, new Object[] {"o", 1, null, new Generic<>(1, 2)}));
        return r;
    }

    /** A plain Kryo, configured as Cairn's is, with Kryo's own serializer for records. */
    private static Kryo kryosOwn(boolean references) {
        Kryo kryo = new Kryo();
        configure(kryo, references);
        return kryo;
    }

    /** The same Kryo with {@link FastRecordSerializer} for every record. */
    private static Kryo fast(boolean references) {
        Kryo kryo = new Kryo() {
            @Override
            @SuppressWarnings("rawtypes")
            public Serializer getDefaultSerializer(Class type) {
                Serializer s = super.getDefaultSerializer(type);
                return s.getClass() == RecordSerializer.class ? FastRecordSerializer.forRecord(this, type, s) : s;
            }
        };
        configure(kryo, references);
        return kryo;
    }

    private static void configure(Kryo kryo, boolean references) {
        kryo.setRegistrationRequired(false);
        kryo.setReferences(references);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
    }

    private static byte[] write(Kryo kryo, Object record) {
        Output out = new Output(256, -1);
        kryo.writeClassAndObject(out, record);
        return out.toBytes();
    }

    private static Object read(Kryo kryo, byte[] bytes) {
        Input in = new Input(bytes);
        Object o = kryo.readClassAndObject(in);
        assertEquals(bytes.length, in.position(), "read every byte");
        return o;
    }

    @ParameterizedTest(name = "references={0}")
    @ValueSource(booleans = {false, true})
    void writesTheBytesOfKryosRecordSerializerAndReadsThem(boolean references) {
        Kryo own = kryosOwn(references);
        Kryo fast = fast(references);
        for (Object record : records()) {
            byte[] expected = write(own, record);
            byte[] found = write(fast, record);

            assertArrayEquals(expected, found, record.getClass().getSimpleName() + ": " + record);
            assertInstanceOf(FastRecordSerializer.class, fast.getSerializer(record.getClass()), "the fast path is used");
            assertTrue(deepEquals(record, read(fast, expected)), "fast reads Kryo's bytes: " + record);
            assertTrue(deepEquals(record, read(own, found)), "Kryo reads fast's bytes: " + record);
        }
    }

    @ParameterizedTest(name = "references={0}")
    @ValueSource(booleans = {false, true})
    void bothWaysOfReachingARecordWriteKryosBytes(boolean references) throws Exception {
        // Records on the test's class path get spun accessor classes; a record in another class
        // loader's unnamed module cannot be reached that way and goes through method handles.
        assertTrue(FastRecordSerializer.isSpun(Primitives.class));
        try (java.net.URLClassLoader other = IsolatedClasses.freshLoader()) {
            Object holder = IsolatedClasses.call(other, "plain", 42L);
            assertFalse(FastRecordSerializer.isSpun(holder.getClass()));
            Kryo own = kryosOwn(references);
            Kryo fast = fast(references);
            own.setClassLoader(other);
            fast.setClassLoader(other);

            byte[] expected = write(own, holder);
            assertArrayEquals(expected, write(fast, holder));
            assertEquals(holder, read(fast, expected));
        }
    }

    @ParameterizedTest(name = "references={0}")
    @ValueSource(booleans = {false, true})
    void sharedObjectsInsideARecordKeepTheirIdentityWithReferences(boolean references) {
        Point shared = new Point(1, 1);
        Generic<Point, Point> record = new Generic<>(shared, shared);
        Kryo fast = fast(references);

        assertArrayEquals(write(kryosOwn(references), record), write(fast, record));
        Generic<?, ?> back = (Generic<?, ?>) read(fast, write(fast, record));
        assertEquals(references, back.key() == back.value(), "one object, read back once with references");
    }

    @ParameterizedTest(name = "references={0}")
    @ValueSource(booleans = {false, true})
    void aCompactConstructorThatRejectsTheValuesFailsTheRead(boolean references) {
        byte[] bytes = write(fast(references), new Checked(1, new Object[0]));
        // Components go by name, so positive (an int, var-length zig-zag: 1 is 0x02) is the last byte.
        assertEquals(2, bytes[bytes.length - 1]);
        bytes[bytes.length - 1] = 0;

        KryoException e = assertThrows(KryoException.class, () -> read(fast(references), bytes));
        assertTrue(e.getMessage().contains("positive must be > 0, was 0"), e.getMessage());
    }

    private static boolean deepEquals(Object a, Object b) {
        if (a == null || b == null || !a.getClass().isRecord()) {
            return Objects.deepEquals(a, b);
        }
        if (a.getClass() != b.getClass()) {
            return false;
        }
        try {
            for (var c : a.getClass().getRecordComponents()) {
                c.getAccessor().setAccessible(true);
                Object x = c.getAccessor().invoke(a);
                Object y = c.getAccessor().invoke(b);
                boolean same = x != null && x.getClass().isArray()
                        ? Arrays.deepEquals(new Object[] {x}, new Object[] {y})
                        : x instanceof Record ? deepEquals(x, y) : Objects.equals(x, y) || deepEquals(x, y);
                if (!same) {
                    return false;
                }
            }
            return true;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
