package dev.cairn.serde;

import dev.cairn.config.CairnOptions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Shared fixtures: the serializer x compression matrix and whole-stream write/read helpers. */
final class RecordStreams {
    private RecordStreams() {
    }

    /** A generic record, as users write them; Serializable so the java serializer takes it too. */
    record Pair<K, V>(K key, V value) implements Serializable {
    }

    /** A class without a no-arg constructor. */
    static final class Point implements Serializable {
        final int x;
        final int y;

        Point(int x, int y) {
            this.x = x;
            this.y = y;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Point && ((Point) o).x == x && ((Point) o).y == y;
        }

        @Override
        public int hashCode() {
            return 31 * x + y;
        }

        @Override
        public String toString() {
            return "Point(" + x + "," + y + ")";
        }
    }

    static final Map<String, Supplier<Serializer>> SERIALIZERS = Map.of(
            "kryo", () -> new KryoSerializer(CairnOptions.empty()),
            "java", JavaSerializer::new);

    /** Every serializer name x every compression, as (String serializer, Compression). */
    static Stream<Arguments> matrix() {
        List<Arguments> all = new ArrayList<>();
        for (String name : List.of("kryo", "java")) {
            for (Compression c : Compression.values()) {
                all.add(Arguments.of(name, c));
            }
        }
        return all.stream();
    }

    static Serializer serializer(String name) {
        return SERIALIZERS.get(name).get();
    }

    static byte[] write(Serializer serializer, Compression compression, Iterable<?> records) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        write(serializer, compression, bytes, records);
        return bytes.toByteArray();
    }

    static void write(Serializer serializer, Compression compression, OutputStream target, Iterable<?> records)
            throws IOException {
        try (RecordOutput out = serializer.newOutput(compression.wrap(target))) {
            for (Object r : records) {
                out.write(r);
            }
        }
    }

    static List<Object> read(Serializer serializer, Compression compression, byte[] bytes) throws IOException {
        return read(serializer, compression, new ByteArrayInputStream(bytes));
    }

    static List<Object> read(Serializer serializer, Compression compression, InputStream source) throws IOException {
        List<Object> records = new ArrayList<>();
        try (RecordInput in = serializer.newInput(compression.wrap(source))) {
            while (in.hasNext()) {
                records.add(in.next());
            }
        }
        return records;
    }

    static List<Object> roundTrip(Serializer serializer, Compression compression, List<?> records) throws IOException {
        return read(serializer, compression, write(serializer, compression, records));
    }

    static byte[] cut(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }
}
