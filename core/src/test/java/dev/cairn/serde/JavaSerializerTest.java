package dev.cairn.serde;

import static dev.cairn.serde.RecordStreams.read;
import static dev.cairn.serde.RecordStreams.roundTrip;
import static dev.cairn.serde.RecordStreams.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.RecordStreams.Pair;
import dev.cairn.serde.RecordStreams.Point;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JavaSerializerTest {

    /** A record that is not Serializable. */
    record NotSerializable(String name) {
    }

    @Test
    void nameIsJava() {
        assertEquals("java", new JavaSerializer().name());
    }

    @Test
    void nonSerializableRecordFailsNamingTheClassAndTheStreamReadsAsTruncated() throws IOException {
        JavaSerializer serializer = new JavaSerializer();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordOutput out = serializer.newOutput(bytes);
        out.write("fine");

        CairnException e = assertThrows(CairnException.class, () -> out.write(new NotSerializable("x")));
        assertThrows(IOException.class, () -> out.write("after the failure"));
        out.close();

        assertTrue(e.getMessage().contains(NotSerializable.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("record index 1"), e.getMessage());
        assertTrue(e.getMessage().contains("kryo"), "suggests the alternative: " + e.getMessage());
        assertThrows(IOException.class, () -> read(serializer, Compression.NONE, bytes.toByteArray()));
    }

    @Test
    void nonSerializableFieldIsNamedWithItsRecord() throws IOException {
        RecordOutput out = new JavaSerializer().newOutput(new ByteArrayOutputStream());

        CairnException e = assertThrows(CairnException.class, () -> out.write(new Pair<>("k", new Object())));

        assertTrue(e.getMessage().contains("found java.lang.Object which is not, inside a " + Pair.class.getName()),
                e.getMessage());
        out.close();
    }

    @Test
    void classesAreResolvedThroughTheGivenLoader() throws IOException {
        AtomicInteger asked = new AtomicInteger();
        ClassLoader counting = new ClassLoader(getClass().getClassLoader()) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.equals(Point.class.getName())) {
                    asked.incrementAndGet();
                }
                return super.loadClass(name, resolve);
            }
        };

        List<Object> back = roundTrip(new JavaSerializer(counting), Compression.NONE, List.of(new Point(1, 2)));

        assertEquals(List.of(new Point(1, 2)), back);
        assertTrue(asked.get() > 0, "the loader was asked for " + Point.class.getName());
    }

    @Test
    void unknownClassInTheStreamFailsWithAnIOExceptionNamingIt() throws IOException {
        byte[] bytes = write(new JavaSerializer(), Compression.NONE, List.of(new Point(1, 2)));
        // Rename the class inside the stream to one that does not exist (same length keeps it decodable).
        String name = Point.class.getName();
        String missing = name.substring(0, name.length() - 1) + "X";
        String text = new String(bytes, StandardCharsets.ISO_8859_1).replace(name, missing);
        byte[] renamed = text.getBytes(StandardCharsets.ISO_8859_1);

        IOException e = assertThrows(IOException.class, () -> read(new JavaSerializer(), Compression.NONE, renamed));

        assertTrue(e.getMessage().contains("ClassNotFoundException"), e.getMessage());
        assertTrue(e.getMessage().contains(missing), e.getMessage());
        assertTrue(e.getCause() instanceof ClassNotFoundException, String.valueOf(e.getCause()));
    }

    /**
     * Issue 15: Spark's Java serializer writes a {@code (Long, double[4])} tuple in about 63 bytes; a
     * reset before every record used to make Cairn's 208, repeating every class descriptor.
     */
    @Test
    void classDescriptorsAreWrittenOncePerStreamNotOncePerRecord() throws IOException {
        List<Object> records = new ArrayList<>();
        for (long i = 0; i < 1000; i++) {
            records.add(new Pair<>(i, new double[] {i, i + 0.5, -i, 0.25}));
        }

        byte[] bytes = write(new JavaSerializer(), Compression.NONE, records);
        List<Object> back = read(new JavaSerializer(), Compression.NONE, bytes);

        // Per record: the record object and its descriptor number (5), the Long as its carrier (13, see
        // BoxedNumbers), the array with its descriptor number (41), the reset (1).
        assertTrue(bytes.length <= 1000 * 60 + 400, bytes.length + " bytes for 1000 records");
        for (int i = 0; i < 1000; i++) {
            Pair<?, ?> p = (Pair<?, ?>) back.get(i);
            assertEquals((long) i, p.key());
            assertArrayEquals(new double[] {i, i + 0.5, -i, 0.25}, (double[]) p.value());
        }
    }

    /** A class with a boxed field and its own writeObject, as JDK collections have. */
    static final class Boxes implements Serializable {
        private static final long serialVersionUID = 1L;
        Long field = 5L;
        Integer[] array = {1, null, -3};
        transient List<Number> written = new ArrayList<>(List.of(1.5d, 2.5f, (short) 3, (byte) 4, Long.MIN_VALUE));

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            out.writeObject(written);
        }

        @SuppressWarnings("unchecked")
        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            written = (List<Number>) in.readObject();
        }
    }

    record Typed(Long key, Integer count, double[] values) implements Serializable {
    }

    @Test
    void boxedNumbersReadBackAsThemselvesWhereverTheyAre() throws IOException {
        Long shared = 123_456_789L;
        List<Object> records = List.of(new Boxes(), new Typed(7L, null, new double[] {1}), new Pair<>(shared, shared),
                new Object[] {1, 2L, 3.0d, 4.0f, (short) 5, (byte) 6, true, 'c'}, new HashMap<>(Map.of(1L, 2, 3L, 4)));

        // An allow-list without any of Cairn's classes still reads boxed numbers.
        List<Object> back = read(new JavaSerializer(CairnOptions.of(Map.of(JavaSerializer.OPTION_ALLOWED_CLASSES,
                "dev.cairn.serde.*,java.util.ArrayList,java.util.HashMap,java.util.Map$Entry"))), Compression.NONE,
                write(new JavaSerializer(), Compression.NONE, records));

        Boxes boxes = (Boxes) back.get(0);
        assertEquals(5L, boxes.field);
        assertArrayEquals(new Integer[] {1, null, -3}, boxes.array);
        assertEquals(List.of(1.5d, 2.5f, (short) 3, (byte) 4, Long.MIN_VALUE), boxes.written);
        assertEquals(List.of(Double.class, Float.class, Short.class, Byte.class, Long.class),
                boxes.written.stream().map(Object::getClass).toList());
        Typed typed = (Typed) back.get(1);
        assertEquals(7L, typed.key());
        assertNull(typed.count());
        Pair<?, ?> pair = (Pair<?, ?>) back.get(2);
        assertEquals(shared, pair.key());
        assertSame(pair.key(), pair.value(), "one object written twice in a record is read back as one");
        assertArrayEquals((Object[]) records.get(3), (Object[]) back.get(3));
        assertEquals(records.get(4), back.get(4));
    }

    @Test
    void theWriterHoldsNoRecordAfterWritingIt() throws IOException {
        RecordOutput out = new JavaSerializer().newOutput(new ByteArrayOutputStream());
        byte[] big = new byte[1 << 20];
        WeakReference<byte[]> written = new WeakReference<>(big);
        out.write(new Pair<>("big", big));
        big = null;

        // The open writer (and its object stream) must not keep the record reachable.
        for (int i = 0; i < 50 && written.get() != null; i++) {
            System.gc();
        }

        assertNull(written.get(), "the record is still reachable from the writer");
        out.write("next");
        out.close();
    }

    @Test
    void aDescriptorNumberNoDescriptorHasFailsAsCorrupt() throws IOException {
        byte[] bytes = write(new JavaSerializer(), Compression.NONE, List.of(new Point(1, 2), new Point(3, 4)));
        // The second Point refers to its descriptor by number 1 (0 would be a new descriptor): make it 9.
        int second = lastIndexOf(bytes, new byte[] {0x73, 0x72, 0x01}); // TC_OBJECT TC_CLASSDESC number
        bytes[second + 2] = 9;

        IOException e = assertThrows(IOException.class, () -> read(new JavaSerializer(), Compression.NONE, bytes));

        assertTrue(e.getMessage().contains("record index 1"), e.getMessage());
        assertTrue(e.getMessage().contains("expected a number up to 1, found 9"), e.getMessage());
    }

    private static int lastIndexOf(byte[] bytes, byte[] part) {
        for (int i = bytes.length - part.length; i >= 0; i--) {
            if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void aStreamEndingInsideTheSerializationHeaderIsTruncated() throws IOException {
        byte[] bytes = write(new JavaSerializer(), Compression.NONE, List.of("x"));

        // 5 bytes of Cairn header, then 2 of the 4-byte serialization header.
        byte[] cut = RecordStreams.cut(bytes, 7);

        assertThrows(EOFException.class, () -> read(new JavaSerializer(), Compression.NONE, cut));
    }
}
