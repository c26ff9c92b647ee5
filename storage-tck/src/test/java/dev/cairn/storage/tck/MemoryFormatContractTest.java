package dev.cairn.storage.tck;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.memory.MemoryStorage;
import dev.cairn.storage.memory.MemoryStorageProvider;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

class MemoryFormatContractTest extends FormatContractTest {
    private static final String VOLUME = "format-tck";

    @Override
    protected StorageProvider provider() {
        return new MemoryStorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() {
        return URI.create("memory://" + VOLUME + "/" + UUID.randomUUID());
    }

    @Override
    protected boolean sharedAcrossProcesses() {
        return false; // memory:// lives in one JVM
    }

    @AfterAll
    static void freeMemory() {
        MemoryStorage.clear(VOLUME);
    }
}
