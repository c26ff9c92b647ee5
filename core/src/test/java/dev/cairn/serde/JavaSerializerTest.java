package dev.cairn.serde;

import static dev.cairn.serde.RecordStreams.read;
import static dev.cairn.serde.RecordStreams.roundTrip;
import static dev.cairn.serde.RecordStreams.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.serde.RecordStreams.Pair;
import dev.cairn.serde.RecordStreams.Point;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

    @Test
    void aStreamEndingInsideTheSerializationHeaderIsTruncated() throws IOException {
        byte[] bytes = write(new JavaSerializer(), Compression.NONE, List.of("x"));

        // 5 bytes of Cairn header, then 2 of the 4-byte serialization header.
        byte[] cut = RecordStreams.cut(bytes, 7);

        assertThrows(EOFException.class, () -> read(new JavaSerializer(), Compression.NONE, cut));
    }
}
