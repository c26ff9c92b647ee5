package dev.cairn.serde;

import static dev.cairn.serde.RecordStreams.read;
import static dev.cairn.serde.RecordStreams.roundTrip;
import static dev.cairn.serde.RecordStreams.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.RecordStreams.Point;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.net.URI;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class KryoSerializerTest {

    /** Not Serializable, no no-arg constructor: Kryo handles it, Java serialization would not. */
    record Plain(String name, long[] values) {
    }

    static final class Node {
        String label;
        Node next;
    }

    private static KryoSerializer kryo(Map<String, String> options) {
        return new KryoSerializer(CairnOptions.of(options));
    }

    @Test
    void pairsRoundTripWithNullsNestingAndArrays() throws IOException {
        List<Object> pairs = java.util.Arrays.asList(
                new dev.cairn.Pair<>(1L, new double[] {0.5, 1.5}),
                new dev.cairn.Pair<>(null, "value"),
                new dev.cairn.Pair<>("key", null),
                new dev.cairn.Pair<>(new dev.cairn.Pair<>(1, "a"), List.of(2, 3)));
        List<Object> back = roundTrip(kryo(Map.of()), Compression.NONE, pairs);
        assertEquals(4, back.size());
        dev.cairn.Pair<?, ?> first = (dev.cairn.Pair<?, ?>) back.get(0);
        assertEquals(1L, first.key());
        org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {0.5, 1.5}, (double[]) first.value());
        assertEquals(pairs.subList(1, 4), back.subList(1, 4));
    }

    @Test
    void nameIsKryo() {
        assertEquals("kryo", kryo(Map.of()).name());
    }

    @Test
    void recordsThatAreNotSerializableRoundTrip() throws IOException {
        List<Object> back = roundTrip(kryo(Map.of()), Compression.NONE, List.of(new Plain("a", new long[] {1, 2})));

        Plain p = (Plain) back.get(0);
        assertEquals("a", p.name());
        assertEquals(List.of(1L, 2L), List.of(p.values()[0], p.values()[1]));
    }

    @Test
    void registeredClassesRoundTripWhenRegistrationIsRequired() throws IOException {
        KryoSerializer serializer = kryo(Map.of(
                KryoSerializer.OPTION_REGISTRATION_REQUIRED, "true",
                KryoSerializer.OPTION_CLASSES, Point.class.getName() + ", [J ,java.util.ArrayList"));
        List<Object> records = List.of(new Point(1, 2), new ArrayList<>(List.of(3, 4)), "strings are built in");

        List<Object> back = roundTrip(serializer, Compression.NONE, records);

        assertEquals(records, back);
        assertEquals(new long[] {5}.length, ((long[]) roundTrip(serializer, Compression.NONE,
                List.of(new long[] {5})).get(0)).length);
    }

    /** The setting for shared stores: a stream from someone else cannot make the reader create an unlisted class. */
    @Test
    void aReaderThatRequiresRegistrationRefusesAClassItDidNotRegisterFromAStreamWrittenWithout() throws IOException {
        byte[] written = write(kryo(Map.of()), Compression.NONE, List.of("fine", new Point(1, 2)));
        KryoSerializer strict = kryo(Map.of(KryoSerializer.OPTION_REGISTRATION_REQUIRED, "true"));

        Exception e = assertThrows(Exception.class, () -> read(strict, Compression.NONE, written));
        String all = e + (e.getCause() == null ? "" : " / " + e.getCause());
        assertTrue(all.contains(Point.class.getName()), all);
        assertTrue(e instanceof IOException || e instanceof CairnException, "a named failure, not " + e);
        assertEquals(List.of("fine", new Point(1, 2)), read(kryo(Map.of()), Compression.NONE, written), "a reader without the requirement reads it");
    }

    @Test
    void unregisteredClassFailsTheWriteNamingClassAndOptionsAndTheStreamReadsAsTruncated() throws IOException {
        KryoSerializer serializer = kryo(Map.of(KryoSerializer.OPTION_REGISTRATION_REQUIRED, "true"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordOutput out = serializer.newOutput(bytes);
        out.write("fine");

        CairnException e = assertThrows(CairnException.class, () -> out.write(new Point(1, 2)));
        IOException later = assertThrows(IOException.class, () -> out.write("after the failure"));
        out.close();

        assertTrue(e.getMessage().contains(Point.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains(KryoSerializer.OPTION_CLASSES), e.getMessage());
        assertTrue(e.getMessage().contains("record index 1"), e.getMessage());
        assertSame(e, later.getCause());
        assertThrows(EOFException.class, () -> read(serializer, Compression.NONE, bytes.toByteArray()));
    }

    @Test
    void registeringClassesMakesOutputSmaller() throws IOException {
        List<Object> records = List.of(new Point(1, 2));
        byte[] unregistered = write(kryo(Map.of()), Compression.NONE, records);
        byte[] registered = write(kryo(Map.of(KryoSerializer.OPTION_CLASSES, Point.class.getName())),
                Compression.NONE, records);

        assertTrue(registered.length + Point.class.getName().length() - 2 <= unregistered.length,
                registered.length + " vs " + unregistered.length);
    }

    @Test
    void classNamesAreWrittenOncePerStreamNotOncePerRecord() throws IOException {
        List<Object> records = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            records.add(new Point(i, i));
        }

        byte[] bytes = write(kryo(Map.of()), Compression.NONE, records);

        // A Point is 1 marker + 1 class id + 2 small varints; its name alone is ~35 bytes.
        assertTrue(bytes.length < 1000 * 8, "stream of " + bytes.length + " bytes");
        assertEquals(records, read(kryo(Map.of()), Compression.NONE, bytes));
    }

    @Test
    void aReaderConfiguredDifferentlyFromTheWriterFailsInsteadOfMisreading() throws IOException {
        String two = Point.class.getName() + ",java.util.ArrayList";
        String swapped = "java.util.ArrayList," + Point.class.getName();
        byte[] bytes = write(kryo(Map.of(KryoSerializer.OPTION_CLASSES, two)), Compression.NONE,
                List.of(new Point(1, 2)));

        assertEquals(List.of(new Point(1, 2)),
                read(kryo(Map.of(KryoSerializer.OPTION_CLASSES, two)), Compression.NONE, bytes));
        StreamCorruptedException order = assertThrows(StreamCorruptedException.class,
                () -> read(kryo(Map.of(KryoSerializer.OPTION_CLASSES, swapped)), Compression.NONE, bytes));
        StreamCorruptedException refs = assertThrows(StreamCorruptedException.class, () -> read(
                kryo(Map.of(KryoSerializer.OPTION_CLASSES, two, KryoSerializer.OPTION_REFERENCES, "true")),
                Compression.NONE, bytes));

        assertTrue(order.getMessage().contains(KryoSerializer.OPTION_CLASSES), order.getMessage());
        assertTrue(refs.getMessage().contains(KryoSerializer.OPTION_REFERENCES + "=true"), refs.getMessage());
    }

    @Test
    void unknownClassInOptionNamesOptionAndClass() {
        CairnException e = assertThrows(CairnException.class,
                () -> kryo(Map.of(KryoSerializer.OPTION_CLASSES, "java.lang.String,com.example.Missing")));

        assertTrue(e.getMessage().contains(KryoSerializer.OPTION_CLASSES), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.Missing"), e.getMessage());
        assertTrue(e.getCause() instanceof ClassNotFoundException, String.valueOf(e.getCause()));
    }

    @Test
    void malformedBooleanOptionNamesTheKey() {
        CairnException e = assertThrows(CairnException.class,
                () -> kryo(Map.of(KryoSerializer.OPTION_REFERENCES, "yes")));

        assertTrue(e.getMessage().contains(KryoSerializer.OPTION_REFERENCES), e.getMessage());
        assertTrue(e.getMessage().contains("yes"), e.getMessage());
    }

    @Test
    void referencesKeepCyclesAndSharedObjects() throws IOException {
        Node cyclic = new Node();
        cyclic.label = "self";
        cyclic.next = cyclic;
        Point shared = new Point(7, 7);
        List<Object> sharing = new ArrayList<>(List.of(shared, shared));

        List<Object> back = roundTrip(kryo(Map.of(KryoSerializer.OPTION_REFERENCES, "true")), Compression.NONE,
                List.of(cyclic, sharing));

        Node node = (Node) back.get(0);
        assertEquals("self", node.label);
        assertSame(node, node.next);
        List<?> list = (List<?>) back.get(1);
        assertSame(list.get(0), list.get(1));
    }

    @Test
    void withoutReferencesSharedObjectsAreCopiedAndCyclesFailPointingAtTheOption() throws IOException {
        Point shared = new Point(7, 7);
        List<?> list = (List<?>) roundTrip(kryo(Map.of()), Compression.NONE,
                List.of(new ArrayList<>(List.of(shared, shared)))).get(0);
        assertEquals(list.get(0), list.get(1));
        assertNotSame(list.get(0), list.get(1));

        Node cyclic = new Node();
        cyclic.next = cyclic;
        RecordOutput out = kryo(Map.of()).newOutput(new ByteArrayOutputStream());
        CairnException e = assertThrows(CairnException.class, () -> out.write(cyclic));
        assertTrue(e.getMessage().contains(KryoSerializer.OPTION_REFERENCES + "=true"), e.getMessage());
        out.close();
    }

    @Test
    void graphDepthIsCappedBeforeTheStackOverflows() throws IOException {
        Node shallow = chain(KryoSerializer.MAX_DEPTH / 2);
        Node deep = chain(KryoSerializer.MAX_DEPTH + 10);

        Node back = (Node) roundTrip(kryo(Map.of()), Compression.NONE, List.of(shallow)).get(0);
        int length = 0;
        for (Node n = back; n != null; n = n.next) {
            length++;
        }
        assertEquals(KryoSerializer.MAX_DEPTH / 2, length);

        RecordOutput out = kryo(Map.of(KryoSerializer.OPTION_REFERENCES, "true")).newOutput(new ByteArrayOutputStream());
        CairnException e = assertThrows(CairnException.class, () -> out.write(deep));
        assertTrue(e.getMessage().contains("at most " + KryoSerializer.MAX_DEPTH + " levels deep"), e.getMessage());
        out.close();
    }

    private static Node chain(int length) {
        Node head = null;
        for (int i = 0; i < length; i++) {
            Node n = new Node();
            n.label = "n" + i;
            n.next = head;
            head = n;
        }
        return head;
    }

    @Test
    void jdkTypesPlainKryoCannotHandleOnJava17() throws IOException {
        NavigableMap<String, Integer> descending = new TreeMap<>(Comparator.reverseOrder());
        descending.put("a", 1);
        descending.put("b", 2);
        List<Object> records = List.of(
                UUID.fromString("123e4567-e89b-12d3-a456-426614174000"),
                URI.create("s3://bucket/key"),
                Map.entry("k", List.of(1)),
                new AbstractMap.SimpleEntry<>("k", 1),
                Collections.unmodifiableNavigableMap(descending),
                Collections.unmodifiableSortedSet(new TreeSet<>(List.of(3, 1, 2))),
                Collections.synchronizedMap(new HashMap<>(Map.of("a", 1))),
                Collections.synchronizedSet(new LinkedHashSet<>(List.of(1, 2))),
                Collections.emptyNavigableMap(),
                Collections.nCopies(2, "x"),
                // Elements that are not Serializable inside a wrapper: elements go through Kryo.
                Collections.unmodifiableList(new ArrayList<>(List.of(new Plain("p", new long[0])))));

        List<Object> back = roundTrip(kryo(Map.of()), Compression.NONE, records);

        for (int i = 0; i < records.size() - 1; i++) {
            assertEquals(records.get(i), back.get(i), records.get(i).getClass().getName());
        }
        assertEquals(List.of("b", "a"), List.copyOf(((NavigableMap<?, ?>) back.get(4)).keySet()));
        assertEquals("p", ((Plain) ((List<?>) back.get(records.size() - 1)).get(0)).name());
        Pattern pattern = (Pattern) roundTrip(kryo(Map.of()), Compression.NONE, List.of(Pattern.compile("a+b"))).get(0);
        assertTrue(pattern.matcher("aab").matches());
        AtomicLong counter = (AtomicLong) roundTrip(kryo(Map.of()), Compression.NONE, List.of(new AtomicLong(5))).get(0);
        assertEquals(5, counter.get());
    }

    @Test
    void collectionViewsFailAtWriteTimeNotAtReadTime() {
        Map<String, Integer> map = new HashMap<>(Map.of("a", 1));
        RecordOutput out = kryo(Map.of()).newOutput(new ByteArrayOutputStream());

        CairnException e = assertThrows(CairnException.class, () -> out.write(map.keySet()));

        assertTrue(e.getMessage().contains("java.util.HashMap$KeySet"), e.getMessage());
        assertTrue(e.getMessage().contains("copy it first"), e.getMessage());
    }
}
