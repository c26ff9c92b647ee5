package dev.cairn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.checkpoint.FormatFixtures.Combo;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fuzz tests' fixtures are what users run: with the default block size, a part and a manifest
 * built by {@link FormatFixtures} are byte for byte what {@link PartWriter} and
 * {@link CheckpointWriter} write, and the small-block checkpoints the fuzzers start from read back
 * whole through {@link CheckpointReader}. Also (on demand) writes the seed inputs of
 * {@link FormatFuzzTest}.
 */
class FormatFixturesTest {

    @ParameterizedTest
    @EnumSource(Combo.class)
    void aFixturePartIsWhatPartWriterWrites(Combo combo) throws IOException {
        URI location = FormatFixtures.newLocation("fixture");
        try {
            CheckpointSpec spec = CheckpointSpec.builder(location).serializer(combo.serializer).compression(combo.compression.id())
                    .build();
            CheckpointWriter writer = CheckpointWriter.create(FormatFixtures.STORAGE, spec);
            List<PartReceipt> receipts = new ArrayList<>();
            for (int p = 0; p < FormatFixtures.PARTITIONS; p++) {
                try (PartWriter part = writer.openPart(p)) {
                    FormatFixtures.records(p).forEach(part::write);
                    receipts.add(part.commit());
                }
            }
            CheckpointManifest written = writer.commit(receipts, FormatFixtures.PARTITIONS,
                    new dev.cairn.HashPartitioner(FormatFixtures.PARTITIONS), Map.of("iteration", "3"));
            for (int p = 0; p < FormatFixtures.PARTITIONS; p++) {
                assertArrayEquals(FormatFixtures.part(combo, FormatFixtures.records(p), CheckpointManifest.DEFAULT_BLOCK_SIZE),
                        FormatFixtures.get(location, CheckpointManifest.partName(p)), combo + " part " + p);
            }
            assertArrayEquals(FormatFixtures.partitionerBytes(FormatFixtures.PARTITIONS),
                    FormatFixtures.get(location, CheckpointManifest.PARTITIONER_FILE));
            Map<String, byte[]> fixture = FormatFixtures.checkpoint(combo, CheckpointManifest.DEFAULT_BLOCK_SIZE);
            CheckpointManifest built = CheckpointManifest.parse(fixture.get(CheckpointManifest.FILE_NAME));
            assertEquals(written.parts(), built.parts());
            assertEquals(List.of(written.serializer(), written.compression(), written.blockSize(), written.partitioner(),
                    written.partitionerCrc32c(), written.formatVersion()), List.of(built.serializer(), built.compression(),
                    built.blockSize(), built.partitioner(), built.partitionerCrc32c(), built.formatVersion()));
        } catch (CheckpointManifest.FormatException e) {
            throw new AssertionError(e);
        } finally {
            FormatFixtures.delete(location);
        }
    }

    @ParameterizedTest
    @EnumSource(Combo.class)
    void aSmallBlockFixtureReadsBackWhole(Combo combo) {
        URI location = FormatFixtures.newLocation("fixture");
        FormatFixtures.put(location, FormatFixtures.checkpoint(combo, FormatFixtures.SMALL_BLOCK));
        try {
            CheckpointReader reader = CheckpointReader.open(FormatFixtures.STORAGE, location, FormatFixtures.OPTIONS);
            for (int p = 0; p < FormatFixtures.PARTITIONS; p++) {
                FormatFixtures.Read read = FormatFixtures.readPart(reader, p);
                assertEquals(FormatFixtures.records(p), read.records(), combo + " partition " + p + ": " + read.failure());
                assertEquals(null, FormatFixtures.verify(reader, p));
                int blocks = FormatFixtures.get(location, CheckpointManifest.partName(p)).length / (FormatFixtures.SMALL_BLOCK + 8);
                org.junit.jupiter.api.Assertions.assertTrue(blocks >= 3, combo + " part " + p + " has " + blocks + " full blocks");
            }
            assertEquals(new dev.cairn.HashPartitioner(FormatFixtures.PARTITIONS), reader.partitioner().orElseThrow());
        } finally {
            FormatFixtures.delete(location);
        }
    }

    /**
     * Writes the seed inputs of {@link FormatFuzzTest} (genuine files in each target's input
     * layout) into the test resources: {@code mvn -pl core test -Dtest=FormatFixturesTest
     * -Dcairn.fuzz.writeSeeds=true}.
     */
    @Test
    @EnabledIfSystemProperty(named = "cairn.fuzz.writeSeeds", matches = "true")
    void writeSeeds() throws IOException {
        Path inputs = Path.of("src/test/resources/dev/cairn/checkpoint/FormatFuzzTestInputs");
        Map<String, byte[]> kryo = FormatFixtures.checkpoint(Combo.KRYO_NONE, FormatFixtures.SMALL_BLOCK);
        seed(inputs, "manifest", "genuine", kryo.get(CheckpointManifest.FILE_NAME));
        seed(inputs, "partitioner", "genuine", kryo.get(CheckpointManifest.PARTITIONER_FILE));
        int compressed = 0;
        for (Combo c : Combo.values()) {
            String name = c.name().toLowerCase(java.util.Locale.ROOT);
            byte[] stream = FormatFixtures.stream(c, FormatFixtures.records(0));
            byte[] part = FormatFixtures.part(c, FormatFixtures.records(0), FormatFixtures.SMALL_BLOCK);
            seed(inputs, "part", name, concat(new byte[] {c.selector(), 0}, part));
            seed(inputs, "part", name + "-forged", concat(new byte[] {c.selector(), 1}, part));
            seed(inputs, "recordStream", name, concat(new byte[] {c.selector()}, stream));
            if (c.compression != dev.cairn.serde.Compression.NONE) {
                seed(inputs, "compressedStream", name, concat(new byte[] {(byte) compressed++},
                        FormatFixtures.compress(c.compression, stream)));
            }
        }
    }

    private static void seed(Path inputs, String target, String name, byte[] data) throws IOException {
        Path dir = inputs.resolve(target);
        Files.createDirectories(dir);
        Files.write(dir.resolve("seed-" + name), data);
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
