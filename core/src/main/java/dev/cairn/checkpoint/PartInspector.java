package dev.cairn.checkpoint;

import dev.cairn.serde.Compression;
import dev.cairn.serde.RecordInput;
import dev.cairn.serde.Serializer;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;

/**
 * Reads a part file that no manifest describes yet and says what it holds: its length, CRC32C and
 * record count, with every block checked and every record decoded. Used when a second attempt
 * of a partition finds the first attempt's part published: the receipt must describe the file
 * that is there.
 */
final class PartInspector {
    private PartInspector() {
    }

    static CheckpointManifest.Part inspect(Storage storage, URI directory, String name, Serializer serializer, Compression compression,
                                           String dataset) {
        CheckpointManifest.Part unknown = new CheckpointManifest.Part(name, -1, -1, 0);
        CheckpointManifest probe = new CheckpointManifest(CheckpointManifest.FORMAT_VERSION, -1, null, dataset, null, null, 1,
                List.of(unknown), serializer.name(), compression.id(), java.time.Instant.EPOCH, null, 0, java.util.Map.of(),
                CheckpointManifest.DEFAULT_BLOCK_SIZE);
        InputStream raw = PartReader.openRaw(storage, directory, unknown, dataset, "inspect");
        ChecksummedInputStream checksummed = new ChecksummedInputStream(new StoreInput(raw));
        long records = 0;
        long[] streamBytes = new long[1];
        InputStream stream;
        try {
            stream = new java.io.FilterInputStream(compression.wrap(new BlockInputStream(checksummed, probe.blockSize(),
                    probe.formatVersion()))) {
                @Override
                public int read() throws IOException {
                    int b = in.read();
                    if (b >= 0) {
                        streamBytes[0]++;
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        streamBytes[0] += n;
                    }
                    return n;
                }
            };
        } catch (IOException | RuntimeException e) {
            throw PartReader.failure("inspect", dataset, directory, name, "expected a complete part published by another attempt",
                    "at its start", e);
        }
        try (RecordInput in = serializer.newInput(stream)) {
            while (in.hasNext()) {
                in.next();
                records++;
            }
            checksummed.drain();
        } catch (IOException | RuntimeException e) {
            throw PartReader.failure("inspect", dataset, directory, name, "expected a complete part published by another attempt",
                    "after " + records + " records", e);
        }
        return new CheckpointManifest.Part(name, checksummed.bytes(), records, checksummed.crc32c(), streamBytes[0]);
    }
}
