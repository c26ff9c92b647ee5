package dev.cairn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cairn.checkpoint.FormatFixtures.Combo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Checkpoints written by every version of the format since 2 still read back (format 1 has no
 * resources here: its parts are the bare record stream, read by the same code as the stream
 * inside blocks). The files under
 * {@code src/test/resources/dev/cairn/checkpoint/format-v<N>/<combo>/} were written by the code of
 * that format version through {@link CheckpointWriter} (default block size, a
 * {@link dev.cairn.HashPartitioner}, {@link FormatFixtures#records}) and are never rewritten.
 * Format 4 is format 3 with the parts spread over sub-prefixes: its resources were written with
 * {@code cairn.checkpoint.prefix-spread=2}, so its two parts lie in two sub-directories.
 */
class FormatVersionsTest {
    /** The prefix spread the format 4 resources were written with. */
    private static final int SPREAD = 2;

    private static String[] files(int version) {
        int spread = version >= CheckpointManifest.SPREAD_FORMAT_VERSION ? SPREAD : 0;
        return new String[] {CheckpointManifest.FILE_NAME, CheckpointManifest.PARTITIONER_FILE, CheckpointLayout.partPath(0, spread),
            CheckpointLayout.partPath(1, spread)};
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> versionsAndCombos() {
        return java.util.stream.IntStream.rangeClosed(2, CheckpointManifest.SPREAD_FORMAT_VERSION).boxed().flatMap(v -> java.util.Arrays
                .stream(Combo.values()).map(c -> org.junit.jupiter.params.provider.Arguments.of(v, c)));
    }

    @ParameterizedTest(name = "format {0}, {1}")
    @org.junit.jupiter.params.provider.MethodSource("versionsAndCombos")
    void aCheckpointOfEachFormatVersionReadsBackWhole(int version, Combo combo) {
        Map<String, byte[]> files = resource(version, combo);
        assertEquals(version, manifestOf(files).formatVersion());
        URI location = FormatFixtures.newLocation("format-v" + version);
        FormatFixtures.put(location, files);
        try {
            CheckpointReader reader = CheckpointReader.open(FormatFixtures.STORAGE, location, FormatFixtures.OPTIONS);
            for (int p = 0; p < FormatFixtures.PARTITIONS; p++) {
                FormatFixtures.Read read = FormatFixtures.readPart(reader, p);
                assertNull(read.failure(), combo + " partition " + p);
                assertEquals(FormatFixtures.records(p), read.records(), combo + " partition " + p);
                assertNull(FormatFixtures.verify(reader, p), combo + " partition " + p);
            }
            assertEquals(new dev.cairn.HashPartitioner(FormatFixtures.PARTITIONS), reader.partitioner().orElseThrow());
        } finally {
            FormatFixtures.delete(location);
        }
    }

    /**
     * Writes the resources of the newest format version (now 4, with a prefix spread of
     * {@value #SPREAD}; format 3, still written without a spread, has its resources from the code
     * of its time): {@code mvn -pl core test -Dtest=FormatVersionsTest
     * -Dcairn.format.writeResources=true}. Run once per format version, before the code changes to
     * the next one.
     */
    @Test
    @EnabledIfSystemProperty(named = "cairn.format.writeResources", matches = "true")
    void writeResources() throws IOException {
        for (Combo combo : Combo.values()) {
            URI location = FormatFixtures.newLocation("write");
            try {
                CheckpointSpec spec = CheckpointSpec.builder(location).serializer(combo.serializer)
                        .compression(combo.compression.id())
                        .options(dev.cairn.config.CairnOptions.of(Map.of(CheckpointOptions.PREFIX_SPREAD, String.valueOf(SPREAD))))
                        .build();
                CheckpointWriter writer = CheckpointWriter.create(FormatFixtures.STORAGE, spec);
                List<PartReceipt> receipts = new java.util.ArrayList<>();
                for (int p = 0; p < FormatFixtures.PARTITIONS; p++) {
                    try (PartWriter part = writer.openPart(p)) {
                        FormatFixtures.records(p).forEach(part::write);
                        receipts.add(part.commit());
                    }
                }
                writer.commit(receipts, FormatFixtures.PARTITIONS, new dev.cairn.HashPartitioner(FormatFixtures.PARTITIONS),
                        Map.of("iteration", "3"));
                int version = CheckpointManifest.SPREAD_FORMAT_VERSION;
                Path dir = directory(version, combo);
                for (String name : files(version)) {
                    Files.createDirectories(dir.resolve(name).getParent());
                    Files.write(dir.resolve(name), FormatFixtures.get(location, name));
                }
            } finally {
                FormatFixtures.delete(location);
            }
        }
    }

    private static Path directory(int version, Combo combo) {
        return Path.of("src/test/resources/dev/cairn/checkpoint/format-v" + version, combo.name().toLowerCase(Locale.ROOT));
    }

    static Map<String, byte[]> resource(int version, Combo combo) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : files(version)) {
            String path = "format-v" + version + "/" + combo.name().toLowerCase(Locale.ROOT) + "/" + name;
            try (InputStream in = FormatVersionsTest.class.getResourceAsStream(path)) {
                if (in == null) {
                    throw new AssertionError("missing test resource " + path);
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    static CheckpointManifest manifestOf(Map<String, byte[]> files) {
        try {
            return CheckpointManifest.parse(files.get(CheckpointManifest.FILE_NAME));
        } catch (CheckpointManifest.FormatException e) {
            throw new AssertionError(e);
        }
    }
}
