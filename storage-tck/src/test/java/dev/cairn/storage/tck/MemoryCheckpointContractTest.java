package dev.cairn.storage.tck;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.memory.MemoryStorage;
import dev.cairn.storage.memory.MemoryStorageProvider;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

class MemoryCheckpointContractTest extends CheckpointContractTest {
    private static final String VOLUME = "checkpoint-tck";

    @Override
    protected StorageProvider provider() {
        return new MemoryStorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() {
        return URI.create("memory://" + VOLUME + "/" + UUID.randomUUID());
    }

    @AfterAll
    static void freeMemory() {
        MemoryStorage.clear(VOLUME);
    }
}
