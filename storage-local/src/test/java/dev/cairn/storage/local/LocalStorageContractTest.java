package dev.cairn.storage.local;

import dev.cairn.storage.Storage;
import dev.cairn.storage.tck.StorageContractTest;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage contract against {@code file://} with the default settings (fsync on). The base
 * directory's own name has a space and a non-ASCII letter, so that every test also checks URI
 * encoding of the path above the files it writes.
 */
class LocalStorageContractTest extends StorageContractTest {
    private static final LocalStorage STORAGE = new LocalStorage();

    @TempDir
    Path tempDir;

    @Override
    protected Storage storage() {
        return STORAGE;
    }

    @Override
    protected URI newBaseDirectory() {
        return tempDir.resolve("tck base ü").toUri();
    }

    @AfterAll
    static void closeStorage() {
        STORAGE.close();
    }
}
