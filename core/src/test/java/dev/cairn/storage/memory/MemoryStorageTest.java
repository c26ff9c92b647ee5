package dev.cairn.storage.memory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link MemoryStorage} promises beyond the storage contract (which the storage TCK checks
 * for it): sharing between instances, volume isolation, clearing, path normalisation and
 * discovery. The contract suite cannot run here because the TCK module depends on core.
 */
class MemoryStorageTest {
    private final String volume = "test-" + UUID.randomUUID();
    private final String otherVolume = volume + "-other";

    @AfterEach
    void clearVolumes() {
        MemoryStorage.clear(volume);
        MemoryStorage.clear(otherVolume);
    }

    private URI uri(String path) {
        return URI.create("memory://" + volume + path);
    }

    private static void put(Storage storage, URI file, String content) throws IOException {
        try (StorageOutput out = storage.create(file, false)) {
            out.write(content.getBytes(UTF_8));
            out.commit();
        }
    }

    private static String read(Storage storage, URI file) throws IOException {
        try (InputStream in = storage.open(file)) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    @Test
    void aFileCommittedByOneInstanceIsReadByAnotherEvenAfterTheFirstIsClosed() throws IOException {
        Storage writer = new MemoryStorage();
        put(writer, uri("/ckpt/part-00000"), "first context");
        writer.close();

        try (Storage reader = new MemoryStorage()) {
            assertEquals("first context", read(reader, uri("/ckpt/part-00000")));
            assertEquals(13, reader.stat(uri("/ckpt/part-00000")).length());
        }
    }

    @Test
    void twoRegistriesLikeTwoContextsShareTheVolume() throws IOException {
        URI file = uri("/run/part-00000");
        ClassLoader loader = getClass().getClassLoader();
        try (StorageRegistry first = StorageRegistry.create(CairnOptions.empty(), List.of(), loader)) {
            Storage storage = first.storageFor(file);
            assertInstanceOf(MemoryStorage.class, storage);
            put(storage, file, "checkpoint");
        }
        try (StorageRegistry second = StorageRegistry.create(CairnOptions.empty(), List.of(), loader)) {
            assertTrue(second.schemes().contains("memory"), "schemes: " + second.schemes());
            assertEquals("checkpoint", read(second.storageFor(file), file));
        }
    }

    @Test
    void volumesWithDifferentNamesAreIsolated() throws IOException {
        try (Storage storage = new MemoryStorage()) {
            put(storage, uri("/a"), "in volume");
            URI sameNameOtherVolume = URI.create("memory://" + otherVolume + "/a");
            assertThrows(NoSuchFileException.class, () -> storage.stat(sameNameOtherVolume));
            assertTrue(storage.list(URI.create("memory://" + otherVolume + "/")).isEmpty());
        }
    }

    @Test
    void clearDropsOneVolumeAndLeavesTheOthers() throws IOException {
        try (Storage storage = new MemoryStorage()) {
            put(storage, uri("/a"), "x");
            URI other = URI.create("memory://" + otherVolume + "/b");
            put(storage, other, "y");

            MemoryStorage.clear(volume);

            assertThrows(NoSuchFileException.class, () -> storage.open(uri("/a")));
            assertEquals("y", read(storage, other));
        }
    }

    @Test
    void equivalentPathsNameTheSameFile() throws IOException {
        try (Storage storage = new MemoryStorage()) {
            put(storage, uri("/a/b/c"), "content");
            assertEquals("content", read(storage, uri("/a//b/./c")));
            assertEquals("content", read(storage, uri("/a/x/../b/c/")));
            assertEquals(List.of("b"), storage.list(uri("/a/")).stream().map(FileStatus::name).toList());
            FileStatus dir = storage.stat(uri("/a/b/"));
            assertTrue(dir.directory());
            assertEquals(uri("/a/b"), dir.location());
        }
    }

    @Test
    void uriWithoutAVolumeNameIsRejectedWithAHint() throws IOException {
        try (Storage storage = new MemoryStorage()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> storage.open(URI.create("memory:/ckpt/part-00000")));
            assertTrue(e.getMessage().startsWith("Cannot open file: memory:/ckpt/part-00000 (expected a memory://"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("memory:/ instead of memory://"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> storage.stat(URI.create("file:///tmp/x")));
            assertThrows(IllegalArgumentException.class, () -> storage.stat(URI.create("memory://" + volume + "/../x")));
        }
    }

    @Test
    void aFileCannotShadowAnImpliedDirectoryNorLiveUnderAFile() throws IOException {
        try (Storage storage = new MemoryStorage()) {
            put(storage, uri("/d/f"), "x");
            assertThrows(FileAlreadyExistsException.class, () -> put(storage, uri("/d"), "shadow"));
            FileSystemException underFile = assertThrows(FileSystemException.class, () -> put(storage, uri("/d/f/g"), "y"));
            assertTrue(underFile.getMessage().contains("expected a directory at " + uri("/d/f")), underFile.getMessage());
            assertEquals(List.of("f"), storage.list(uri("/d")).stream().map(FileStatus::name).toList());
        }
    }

    @Test
    void anOpenStreamKeepsTheContentItOpenedWith() throws IOException {
        try (Storage storage = new MemoryStorage()) {
            put(storage, uri("/f"), "old content");
            try (InputStream in = storage.open(uri("/f"))) {
                try (StorageOutput out = storage.create(uri("/f"), true)) {
                    out.write("new".getBytes(UTF_8));
                    out.commit();
                }
                storage.delete(uri("/f"));
                assertEquals("old content", new String(in.readAllBytes(), UTF_8));
            }
        }
    }

    @Test
    void contentSpanningManyChunksReadsBackByteForByteWithMixedCalls() throws IOException {
        int size = 3 * (1 << 20) + 7;
        byte[] expected = new byte[size];
        for (int i = 0; i < size; i++) {
            expected[i] = (byte) (i * 31 + (i >>> 11));
        }
        try (Storage storage = new MemoryStorage()) {
            try (StorageOutput out = storage.create(uri("/big"), false)) {
                out.write(expected, 0, 100);
                out.write(expected[100]);
                out.write(expected, 101, size - 101);
                out.commit();
            }
            byte[] actual = new byte[size];
            try (InputStream in = storage.open(uri("/big"))) {
                actual[0] = (byte) in.read();
                assertEquals(299_999, in.skip(299_999));
                int at = 300_000;
                int n;
                while ((n = in.read(actual, at, Math.min(70_001, size - at))) > 0) {
                    at += n;
                }
                assertEquals(size, at);
                assertEquals(-1, in.read());
            }
            System.arraycopy(expected, 1, actual, 1, 299_999); // the skipped range
            assertArrayEquals(expected, actual);
        }
    }

    @Test
    void aClosedInstanceRefusesWorkButTheDataStays() throws IOException {
        Storage closed = new MemoryStorage();
        put(closed, uri("/f"), "kept");
        closed.close();
        IOException e = assertThrows(IOException.class, () -> closed.open(uri("/f")));
        assertTrue(e.getMessage().contains("found it closed"), e.getMessage());
        try (Storage open = new MemoryStorage()) {
            assertEquals("kept", read(open, uri("/f")));
        }
    }

    @Test
    void theVolumeRootCannotBeAFileButListsItsChildren() throws IOException {
        try (Storage storage = new MemoryStorage()) {
            assertThrows(FileSystemException.class, () -> storage.create(URI.create("memory://" + volume + "/"), false));
            put(storage, uri("/top"), "x");
            put(storage, uri("/dir/below"), "y");
            List<FileStatus> root = storage.list(URI.create("memory://" + volume));
            assertEquals(List.of("dir", "top"), root.stream().map(FileStatus::name).toList());
            assertTrue(root.get(0).directory());
            assertFalse(root.get(1).directory());
            storage.delete(URI.create("memory://" + volume + "/"));
            assertTrue(storage.list(URI.create("memory://" + volume)).isEmpty());
        }
    }

    @Test
    void providerServesOnlyTheMemoryScheme() {
        MemoryStorageProvider provider = new MemoryStorageProvider();
        assertEquals(java.util.Set.of("memory"), provider.schemes());
        assertInstanceOf(MemoryStorage.class, provider.open("MEMORY", CairnOptions.empty()));
        assertThrows(IllegalArgumentException.class, () -> provider.open("file", CairnOptions.empty()));
    }
}
