package dev.cairn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CorruptPartException;
import dev.cairn.checkpoint.FormatFixtures.Combo;
import dev.cairn.checkpoint.FormatFixtures.Read;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Blocks in the wrong place. In format 3 each block's CRC32C covers its index as well as its
 * payload, so two intact blocks swapped (a store or a ranged reader that returns the right bytes
 * at the wrong offset), or a block dropped or repeated, fail their check before any of their
 * records are decoded. Format 2 blocks are checked against their payload only: there, only the
 * whole-file CRC32C at the end of the part notices, after every record has been handed out.
 */
class BlockOrderTest {
    /** 64 longs below 128: Kryo writes each as 3 bytes (marker, class id, value). */
    private static final int RECORDS = 64;
    /** The stream header (5 bytes) and Kryo's fingerprint (4) fill block 0; every later block holds 3 records. */
    private static final int BLOCK = 9;

    @Test
    void swappedBlocksHandOutNoRecordFromTheWrongPlace() {
        Read read = read(swapBlocks(part(CheckpointManifest.FORMAT_VERSION), 1, 2), CheckpointManifest.FORMAT_VERSION);
        FormatFuzzTest.expectPrefix(longs(), read, "a part with blocks 1 and 2 swapped");
        assertInstanceOf(CorruptPartException.class, read.failure());
        assertEquals(List.of(), read.records(), "block 1 is the first record's block: nothing may be handed out");
        assertTrue(read.failure().getMessage().contains("for block 1 (bytes 25 to 33)"), read.failure().getMessage());
        assertTrue(read.failure().getMessage().contains("is not at its place in the file"), read.failure().getMessage());
    }

    @Test
    void laterSwappedBlocksStopTheReadAtTheFirstMisplacedBlock() {
        Read read = read(swapBlocks(part(CheckpointManifest.FORMAT_VERSION), 5, 9), CheckpointManifest.FORMAT_VERSION);
        assertInstanceOf(CorruptPartException.class, read.failure());
        assertEquals(longs().subList(0, 12), read.records(), "the records of blocks 1 to 4, nothing of block 9 at block 5's place");
    }

    /** Block 4 written over block 3 (same length, so the listing's size check passes): nothing of the copy is handed out. */
    @Test
    void aRepeatedBlockHandsOutNothingFromItsWrongPlace() {
        byte[] part = part(CheckpointManifest.FORMAT_VERSION);
        int size = 8 + BLOCK;
        byte[] repeated = part.clone();
        System.arraycopy(part, 4 * size, repeated, 3 * size, size);
        Read read = read(repeated, CheckpointManifest.FORMAT_VERSION);
        assertInstanceOf(CorruptPartException.class, read.failure());
        assertEquals(longs().subList(0, 6), read.records());
    }

    /**
     * Format 2 (still read): a block's CRC32C does not bind its position, so swapped blocks hand out
     * their records in the wrong order, and the part fails only at its end, on the whole-file CRC32C.
     */
    @Test
    void inFormat2SwappedBlocksAreCaughtOnlyAtTheEndOfThePart() {
        Read read = read(swapBlocks(part(2), 1, 2), 2);
        assertInstanceOf(CorruptPartException.class, read.failure());
        assertEquals(RECORDS, read.records().size(), "every record was handed out before the failure");
        assertNotEquals(longs(), read.records());
        assertEquals(List.of(3L, 4L, 5L, 0L, 1L, 2L), read.records().subList(0, 6));
    }

    @Test
    void format2PartsInOrderStillRead() {
        Read read = read(part(2), 2);
        assertEquals(null, read.failure());
        assertEquals(longs(), read.records());
    }

    /** The same records in blocks of format {@code version}. */
    private static byte[] part(int version) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var r = Combo.KRYO_NONE.newSerializer().newOutput(new BlockOutputStream(out, BLOCK, version))) {
            for (Object record : longs()) {
                r.write(record);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] stream = FormatFixtures.stream(Combo.KRYO_NONE, longs());
        assertEquals(9 + 3 * RECORDS, stream.length - 2, "the layout this test relies on: 9 header bytes, 3 per record, end marker"
                + " and count");
        return out.toByteArray();
    }

    /** Reads {@code bytes} as the one part of a format-{@code version} checkpoint whose manifest describes the intact part. */
    private static Read read(byte[] bytes, int version) {
        byte[] intact = part(version);
        URI location = FormatFixtures.newLocation("block-order");
        CheckpointManifest m = FormatFixtures.manifest(Combo.KRYO_NONE, List.of(FormatFixtures.entry(0, intact, RECORDS)), null, BLOCK);
        CheckpointManifest manifest = new CheckpointManifest(version, m.datasetId(), m.datasetName(), m.dataset(), m.appName(),
                m.contextId(), m.numPartitions(), m.parts(), m.serializer(), m.compression(), m.createdAt(), m.partitioner(),
                m.partitionerCrc32c(), m.metadata(), m.blockSize());
        FormatFixtures.put(location, Map.of(CheckpointManifest.partName(0), bytes, CheckpointManifest.FILE_NAME, manifest.toJson()));
        try {
            CheckpointReader reader = CheckpointReader.open(FormatFixtures.STORAGE, location, FormatFixtures.OPTIONS);
            return FormatFixtures.readPart(reader, 0);
        } finally {
            FormatFixtures.delete(location);
        }
    }

    private static List<Object> longs() {
        List<Object> records = new ArrayList<>();
        for (long i = 0; i < RECORDS; i++) {
            records.add(i);
        }
        return records;
    }

    /** Swaps two full blocks (header and payload) of a part cut into {@link #BLOCK}-byte blocks. */
    private static byte[] swapBlocks(byte[] part, int a, int b) {
        int size = 8 + BLOCK;
        byte[] out = part.clone();
        System.arraycopy(part, a * size, out, b * size, size);
        System.arraycopy(part, b * size, out, a * size, size);
        assertFalse(Arrays.equals(part, out));
        return out;
    }
}
