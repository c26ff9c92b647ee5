package dev.cairn.serde;

import static dev.cairn.serde.RecordStreams.read;
import static dev.cairn.serde.RecordStreams.roundTrip;
import static dev.cairn.serde.RecordStreams.serializer;
import static dev.cairn.serde.RecordStreams.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.serde.RecordStreams.Pair;
import dev.cairn.serde.RecordStreams.Point;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every serializer x every compression: what goes in comes out. */
class RoundTripTest {

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void scalarsStringsNullsAndRecords(String name, Compression compression) throws IOException {
        List<Object> records = Arrays.asList(null, 1, 2L, 3.5d, 4.5f, (short) 6, (byte) 7, 'c', true,
                "", "héllo ✓", null, new Pair<>("k", 42L), new Pair<>(null, List.of(1, 2)),
                new Pair<>(new Pair<>(1, 2), "nested"), new Point(3, 4), Thread.State.RUNNABLE, null);

        List<Object> back = roundTrip(serializer(name), compression, records);

        assertEquals(records, back);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void arrays(String name, Compression compression) throws IOException {
        List<Object> records = List.of(new long[] {1, Long.MIN_VALUE, Long.MAX_VALUE}, new double[] {0.5, Double.NaN},
                new byte[] {1, -1, 0}, new int[0], new String[] {"a", null, "b"}, new int[][] {{1}, {2, 3}},
                new Object[] {1, "two", new Pair<>(3, 4)});

        List<Object> back = roundTrip(serializer(name), compression, records);

        assertEquals(records.size(), back.size());
        for (int i = 0; i < records.size(); i++) {
            assertTrue(java.util.Objects.deepEquals(records.get(i), back.get(i)),
                    "record " + i + ": " + Arrays.deepToString(new Object[] {records.get(i), back.get(i)}));
            assertSame(records.get(i).getClass(), back.get(i).getClass());
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void onlyNulls(String name, Compression compression) throws IOException {
        List<Object> back = roundTrip(serializer(name), compression, Arrays.asList(null, null, null));

        assertEquals(Arrays.asList(null, null, null), back);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void emptyStreamHasNoRecords(String name, Compression compression) throws IOException {
        Serializer serializer = serializer(name);
        byte[] bytes = write(serializer, compression, List.of());

        assertTrue(bytes.length > 0, "even an empty stream carries its header and end marker");
        try (RecordInput in = serializer.newInput(compression.wrap(new ByteArrayInputStream(bytes)))) {
            assertFalse(in.hasNext());
            assertFalse(in.hasNext(), "hasNext stays false");
            assertThrows(NoSuchElementException.class, in::next);
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void jdkCollectionsKeepContentsClassAndMutability(String name, Compression compression) throws IOException {
        SortedMap<String, Integer> reversed = new TreeMap<>(Comparator.reverseOrder());
        reversed.putAll(Map.of("a", 1, "b", 2, "c", 3));
        Map<String, Object> cases = new LinkedHashMap<>();
        cases.put("List.of()", List.of());
        cases.put("List.of(1)", List.of(1));
        cases.put("List.of(1,2,3)", List.of(1, 2, 3));
        cases.put("Set.of()", Set.of());
        cases.put("Set.of(1)", Set.of(1));
        cases.put("Set.of(1,2,3)", Set.of(1, 2, 3));
        cases.put("Map.of()", Map.of());
        cases.put("Map.of(1)", Map.of("a", 1));
        cases.put("Map.of(3)", Map.of("a", 1, "b", 2, "c", 3));
        cases.put("unmodifiableList(ArrayList)", Collections.unmodifiableList(new ArrayList<>(List.of(1, 2))));
        cases.put("unmodifiableList(LinkedList)", Collections.unmodifiableList(new LinkedList<>(List.of(1, 2))));
        cases.put("unmodifiableCollection", Collections.unmodifiableCollection(new ArrayList<>(List.of(1, 2))));
        cases.put("unmodifiableSet", Collections.unmodifiableSet(new TreeSet<>(Set.of(1, 2))));
        cases.put("unmodifiableMap", Collections.unmodifiableMap(new HashMap<>(Map.of("a", 1))));
        cases.put("unmodifiableSortedMap(reversed)", Collections.unmodifiableSortedMap(reversed));
        cases.put("emptyList", Collections.emptyList());
        cases.put("emptySet", Collections.emptySet());
        cases.put("emptyMap", Collections.emptyMap());
        cases.put("Arrays.asList", Arrays.asList(1, null, 3));
        cases.put("singletonList", Collections.singletonList("x"));
        cases.put("singleton", Collections.singleton("x"));
        cases.put("singletonMap", Collections.singletonMap("k", "v"));
        cases.put("synchronizedList", Collections.synchronizedList(new ArrayList<>(List.of(1, 2))));
        cases.put("ArrayList", new ArrayList<>(List.of(1, 2)));
        cases.put("LinkedList", new LinkedList<>(List.of(1, 2)));
        cases.put("HashMap", new HashMap<>(Map.of("a", 1, "b", 2)));
        cases.put("TreeMap(reversed)", new TreeMap<>(reversed));
        cases.put("nCopies", Collections.nCopies(3, "x"));

        List<Object> back = roundTrip(serializer(name), compression, new ArrayList<>(cases.values()));

        int i = 0;
        for (Map.Entry<String, Object> c : cases.entrySet()) {
            Object original = c.getValue();
            Object copy = back.get(i++);
            if (original instanceof List || original instanceof Set || original instanceof Map) {
                assertEquals(original, copy, c.getKey());
            } else {
                // A plain Collection (unmodifiableCollection) has identity equals: compare contents.
                assertEquals(new ArrayList<>((Collection<?>) original), new ArrayList<>((Collection<?>) copy), c.getKey());
            }
            assertSame(original.getClass(), copy.getClass(), c.getKey() + ": class");
            if (original instanceof SortedMap) {
                assertEquals(List.copyOf(((SortedMap<?, ?>) original).keySet()),
                        List.copyOf(((SortedMap<?, ?>) copy).keySet()), c.getKey() + ": comparator order");
            }
            if (rejectsWrites(original)) {
                assertTrue(rejectsWrites(copy), c.getKey() + ": still read-only");
            }
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void reusedMutableObjectIsReadInTheStateOfEachWrite(String name, Compression compression) throws IOException {
        List<Integer> reused = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Serializer serializer = serializer(name);
        try (RecordOutput out = serializer.newOutput(compression.wrap(bytes))) {
            for (int i = 0; i < 5; i++) {
                reused.add(i);
                out.write(reused);
            }
        }

        List<Object> back = read(serializer, compression, bytes.toByteArray());

        assertEquals(List.of(List.of(0), List.of(0, 1), List.of(0, 1, 2), List.of(0, 1, 2, 3), List.of(0, 1, 2, 3, 4)),
                back);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void hundredThousandRecordsStreamThroughAFile(String name, Compression compression, @TempDir Path dir)
            throws IOException {
        Serializer serializer = serializer(name);
        Path file = dir.resolve("part-00000");
        int n = 100_000;
        try (OutputStream os = Files.newOutputStream(file); RecordOutput out = serializer.newOutput(compression.wrap(os))) {
            for (long i = 0; i < n; i++) {
                out.write(i % 2 == 0 ? new Pair<>(i, "value-" + i) : (Object) i);
            }
        }

        long count = 0;
        long sum = 0;
        long pairs = 0;
        try (InputStream is = Files.newInputStream(file); RecordInput in = serializer.newInput(compression.wrap(is))) {
            while (in.hasNext()) {
                Object r = in.next();
                if (r instanceof Pair) {
                    Pair<?, ?> p = (Pair<?, ?>) r;
                    assertEquals("value-" + p.key(), p.value());
                    sum += (Long) p.key();
                    pairs++;
                } else {
                    sum += (Long) r;
                }
                count++;
            }
        }

        assertEquals(n, count);
        assertEquals(n / 2, pairs);
        assertEquals((long) n * (n - 1) / 2, sum);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void flushMakesWrittenRecordsReadableBeforeClose(String name, Compression compression) throws IOException {
        Serializer serializer = serializer(name);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordOutput out = serializer.newOutput(compression.wrap(bytes));
        out.write("first");
        out.flush();
        int flushed = bytes.size();
        out.write("second");
        out.close();

        assertTrue(flushed > 0, "flush pushed bytes out");
        assertTrue(bytes.size() > flushed, "close wrote the rest");
        assertEquals(List.of("first", "second"), read(serializer, compression, bytes.toByteArray()));
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void closeIsIdempotentAndClosesTheStreamAndWritingAfterCloseFails(String name, Compression compression)
            throws IOException {
        Serializer serializer = serializer(name);
        TrackingOutputStream target = new TrackingOutputStream();
        RecordOutput out = serializer.newOutput(compression.wrap(target));
        out.write(1);
        out.close();
        int size = target.size();
        out.close();

        assertTrue(target.closed);
        assertEquals(size, target.size(), "second close writes nothing");
        IOException e = assertThrows(IOException.class, () -> out.write(2));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());

        TrackingInputStream source = new TrackingInputStream(target.toByteArray());
        RecordInput in = serializer.newInput(compression.wrap(source));
        assertEquals(1, in.next());
        in.close();
        in.close();
        assertTrue(source.closed);
        assertThrows(IOException.class, in::hasNext);
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void nextWithoutHasNextWorks(String name, Compression compression) throws IOException {
        Serializer serializer = serializer(name);
        byte[] bytes = write(serializer, compression, Arrays.asList("a", null, "c"));

        try (RecordInput in = serializer.newInput(compression.wrap(new ByteArrayInputStream(bytes)))) {
            assertEquals("a", in.next());
            assertNull(in.next());
            assertEquals("c", in.next());
            assertThrows(NoSuchElementException.class, in::next);
        }
    }

    /** Whether adding nothing is refused: true for the strict read-only JDK types, and never mutates. */
    @SuppressWarnings("unchecked")
    private static boolean rejectsWrites(Object o) {
        try {
            if (o instanceof Collection) {
                ((Collection<Object>) o).addAll(List.of());
            } else if (o instanceof Map) {
                ((Map<Object, Object>) o).putAll(Map.of());
            }
            return false;
        } catch (UnsupportedOperationException e) {
            return true;
        }
    }

    static final class TrackingOutputStream extends ByteArrayOutputStream {
        boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class TrackingInputStream extends ByteArrayInputStream {
        boolean closed;

        TrackingInputStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
