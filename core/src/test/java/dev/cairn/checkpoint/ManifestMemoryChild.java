package dev.cairn.checkpoint;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Run in a child JVM with a small heap by {@link ManifestMemoryTest}: reads {@code _manifest.json}
 * from a directory through {@link CheckpointFiles#readManifest} (or, with {@code bytes}, as the
 * whole file in memory first, as Cairn did before it parsed the stream), then prints the part count,
 * and the heap still in use after a GC (the parsed manifest is still referenced then).
 */
public final class ManifestMemoryChild {
    private ManifestMemoryChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        boolean wholeFileFirst = args.length > 1 && args[1].equals("bytes");
        CheckpointManifest manifest;
        Storage storage = new DirectoryStorage();
        if (wholeFileFirst) {
            try (InputStream in = storage.open(dir.resolve(CheckpointManifest.FILE_NAME).toUri())) {
                manifest = CheckpointManifest.parse(in.readNBytes(CheckpointFiles.MAX_SMALL_FILE + 1));
            }
        } else {
            manifest = CheckpointFiles.readManifest(storage, dir.toUri(),
                    new ListingWaiter(Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1)), "manifest-memory");
        }
        System.gc();
        // manifest is used below, so what the GC keeps includes its parts
        long used = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        System.out.println("parts=" + manifest.parts().size() + " records=" + manifest.totalRecords() + " heapAfterGc=" + used
                + " maxHeap=" + Runtime.getRuntime().maxMemory());
    }

    /** Just enough of a store to open files of a local directory. */
    private static final class DirectoryStorage implements Storage {
        @Override
        public InputStream open(URI file) throws IOException {
            Path p = Path.of(file);
            if (!Files.exists(p)) {
                throw new NoSuchFileException(p.toString());
            }
            return Files.newInputStream(p);
        }

        @Override
        public StorageOutput create(URI file, boolean overwrite) throws IOException {
            throw new IOException("read-only test store");
        }

        @Override
        public FileStatus stat(URI file) throws IOException {
            throw new IOException("read-only test store");
        }

        @Override
        public List<FileStatus> list(URI directory) throws IOException {
            throw new IOException("read-only test store");
        }

        @Override
        public void delete(URI fileOrDirectory) throws IOException {
            throw new IOException("read-only test store");
        }
    }
}
