package dev.cairn.checkpoint;

import dev.cairn.CheckpointException;
import dev.cairn.HashPartitioner;
import dev.cairn.RawStorage;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Compression;
import dev.cairn.serde.RecordOutput;
import dev.cairn.serde.Serializer;
import dev.cairn.serde.Serializers;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Checkpoints built byte by byte for the format fuzz tests: the same layers {@link PartWriter}
 * stacks (serializer, compression, checksummed blocks), but with any block size and with any
 * layer's bytes replaced, put into a {@code memory://} store and read back through the public
 * format API ({@link CheckpointReader}). {@link FormatFixturesTest} proves that with the default
 * block size they are byte for byte what {@link PartWriter} and {@link CheckpointWriter} write.
 */
final class FormatFixtures {
    static final StorageRegistry STORAGE = RawStorage.registry();
    static final CairnOptions OPTIONS = CairnOptions.empty();
    /** Records per partition: enough for several blocks of {@link #SMALL_BLOCK} bytes with every serializer. */
    static final int RECORDS = 24;
    /** Small blocks, so a part holds many and a fuzzed part can be damaged in one and intact in others. */
    static final int SMALL_BLOCK = 64;
    static final int PARTITIONS = 2;
    private static final AtomicLong COUNTER = new AtomicLong();

    private FormatFixtures() {
    }

    /** A serializer and a compression: the six ways a part's bytes can be encoded. */
    enum Combo {
        KRYO_NONE("kryo", Compression.NONE), KRYO_LZ4("kryo", Compression.LZ4), KRYO_ZSTD("kryo", Compression.ZSTD),
        JAVA_NONE("java", Compression.NONE), JAVA_LZ4("java", Compression.LZ4), JAVA_ZSTD("java", Compression.ZSTD);

        final String serializer;
        final Compression compression;

        Combo(String serializer, Compression compression) {
            this.serializer = serializer;
            this.compression = compression;
        }

        /** The combo a fuzz input's selector byte picks. */
        static Combo of(byte selector) {
            return values()[(selector & 0xff) % values().length];
        }

        /** Its selector byte. */
        byte selector() {
            return (byte) ordinal();
        }

        Serializer newSerializer() {
            return Serializers.forName(serializer, OPTIONS);
        }
    }

    /**
     * A record of several field kinds whose decoding allocates by a length read from the bytes
     * (a string, an array, a list), which is what a damaged length field would blow up.
     */
    static final class Sample implements Serializable {
        private static final long serialVersionUID = 1L;
        final long id;
        final String name;
        final long[] values;
        final List<String> tags;

        Sample(long id, String name, long[] values, List<String> tags) {
            this.id = id;
            this.name = name;
            this.values = values;
            this.tags = tags;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sample s && s.id == id && Objects.equals(s.name, name) && Arrays.equals(s.values, values)
                    && Objects.equals(s.tags, tags);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id);
        }

        @Override
        public String toString() {
            return "Sample[" + id + ", " + name + ", " + Arrays.toString(values) + ", " + tags + "]";
        }
    }

    /** The records of {@code partition}: longs, strings, samples and a null, the same on every call. */
    static List<Object> records(int partition) {
        List<Object> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            long k = partition * 1000L + i;
            switch (i % 4) {
                case 0 -> records.add(k);
                case 1 -> records.add("record-" + k + "-é");
                case 2 -> {
                    long[] values = new long[(int) (k % 5)];
                    Arrays.setAll(values, j -> k * (j + 1));
                    records.add(new Sample(k, "s" + k, values, new ArrayList<>(List.of("a" + k, "b"))));
                }
                default -> records.add(i == 7 ? null : (Object) Double.valueOf(k / 3.0));
            }
        }
        return records;
    }

    /** The uncompressed record stream of {@code records}: what the serializer writes. */
    static byte[] stream(Combo combo, List<Object> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordOutput r = combo.newSerializer().newOutput(out)) {
            for (Object record : records) {
                r.write(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code stream} through the combo's codec. */
    static byte[] compress(Compression compression, byte[] stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var c = compression.wrap(out)) {
            c.write(stream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code payload} cut into checksummed blocks of at most {@code blockSize} bytes, with the end block. */
    static byte[] blocks(byte[] payload, int blockSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockOutputStream b = new BlockOutputStream(out, blockSize)) {
            b.write(payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A whole part file, through the same stack of streams as {@link PartWriter}: records,
     * serializer, codec, blocks (the codec's output depends on how the serializer flushes into it).
     */
    static byte[] part(Combo combo, List<Object> records, int blockSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (RecordOutput r = combo.newSerializer().newOutput(combo.compression.wrap(new BlockOutputStream(out, blockSize)))) {
            for (Object record : records) {
                r.write(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The {@code _partitioner} bytes of a {@link HashPartitioner}, as the writer stores them. */
    static byte[] partitionerBytes(int partitions) {
        return javaSerialized(new HashPartitioner(partitions));
    }

    /** {@code object} through Java serialization, as {@code _partitioner} holds it. */
    static byte[] javaSerialized(Serializable object) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static long crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    /** A manifest entry describing {@code bytes} as part {@code index} with {@code records} records. */
    static CheckpointManifest.Part entry(int index, byte[] bytes, long records) {
        return entry(index, bytes, records, -1);
    }

    /** As {@link #entry(int, byte[], long)}, with the length of the part's record stream ({@code -1}: not recorded). */
    static CheckpointManifest.Part entry(int index, byte[] bytes, long records, long streamBytes) {
        return new CheckpointManifest.Part(CheckpointManifest.partName(index), bytes.length, records, crc32c(bytes), streamBytes);
    }

    /** A manifest of the current format version for {@code parts}, with a {@link HashPartitioner} when {@code partitioner} is not null. */
    static CheckpointManifest manifest(Combo combo, List<CheckpointManifest.Part> parts, byte[] partitioner, int blockSize) {
        return new CheckpointManifest(CheckpointManifest.FORMAT_VERSION, 7, "fuzzed", "FuzzDataset[7]", "fuzz", "ctx-fuzz",
                parts.size(), parts, combo.serializer, combo.compression.id(), Instant.parse("2026-01-01T00:00:00Z"),
                partitioner == null ? null : HashPartitioner.class.getName(), partitioner == null ? 0 : crc32c(partitioner),
                Map.of("iteration", "3"), blockSize);
    }

    /**
     * A complete, valid checkpoint's files for {@code combo}: {@link #PARTITIONS} parts of
     * {@link #records} in blocks of {@code blockSize}, a partitioner and the manifest.
     */
    static Map<String, byte[]> checkpoint(Combo combo, int blockSize) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        List<CheckpointManifest.Part> parts = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            byte[] part = part(combo, records(p), blockSize);
            files.put(CheckpointManifest.partName(p), part);
            parts.add(entry(p, part, RECORDS, stream(combo, records(p)).length));
        }
        byte[] partitioner = partitionerBytes(PARTITIONS);
        files.put(CheckpointManifest.PARTITIONER_FILE, partitioner);
        files.put(CheckpointManifest.FILE_NAME, manifest(combo, parts, partitioner, blockSize).toJson());
        return files;
    }

    /** A fresh, empty directory in the {@code memory://fuzz} volume. */
    static URI newLocation(String target) {
        return URI.create("memory://fuzz/" + target + "/c" + COUNTER.incrementAndGet());
    }

    /** Writes {@code files} (by path relative to {@code location}) under {@code location}. */
    static void put(URI location, Map<String, byte[]> files) {
        Storage store = STORAGE.storageFor(location);
        files.forEach((name, data) -> {
            try (StorageOutput out = store.create(CheckpointLayout.file(location, name), true)) {
                out.write(data);
                out.commit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The bytes of one file. */
    static byte[] get(URI location, String name) {
        try (InputStream in = STORAGE.storageFor(location).open(CheckpointLayout.file(location, name))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes {@code location} and everything under it. */
    static void delete(URI location) {
        try {
            STORAGE.storageFor(location).delete(location);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What reading one partition gave: the records handed out, and the failure that ended it, if any. */
    record Read(List<Object> records, CheckpointException failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /** Reads partition {@code partition} to its end or its first failure, keeping every record handed out. */
    static Read readPart(CheckpointReader reader, int partition) {
        List<Object> got = new ArrayList<>();
        try (PartIterator<Object> it = reader.openPart(STORAGE, partition)) {
            while (it.hasNext()) {
                got.add(it.next());
            }
            return new Read(got, null);
        } catch (CheckpointException e) {
            return new Read(got, e);
        }
    }

    /** {@link CheckpointReader#verifyPart}'s verdict: null when the part verified. */
    static CheckpointException verify(CheckpointReader reader, int partition) {
        try {
            reader.verifyPart(STORAGE, partition);
            return null;
        } catch (CheckpointException e) {
            return e;
        }
    }
}
