package dev.cairn.storage.tck;

import dev.cairn.storage.Storage;
import dev.cairn.storage.memory.MemoryStorage;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

/** The storage contract, run against {@code memory://}; each test gets a volume of its own. */
class MemoryStorageContractTest extends StorageContractTest {
    // One instance for the class, the way a server-backed suite would share its client; closed
    // in @AfterAll because the suite's own cleanup runs after subclass @AfterEach methods.
    private static final MemoryStorage STORAGE = new MemoryStorage();

    private final String volume = "tck-" + UUID.randomUUID();

    @Override
    protected Storage storage() {
        return STORAGE;
    }

    @Override
    protected URI newBaseDirectory() {
        return URI.create("memory://" + volume + "/base");
    }

    @AfterEach
    void dropVolume() {
        MemoryStorage.clear(volume);
    }

    @AfterAll
    static void closeStorage() {
        STORAGE.close();
    }
}
