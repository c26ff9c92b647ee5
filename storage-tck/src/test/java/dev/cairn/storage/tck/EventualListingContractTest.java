package dev.cairn.storage.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.memory.MemoryStorage;
import dev.cairn.storage.tck.faults.FaultInjectingStorage;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The storage contract over a backend with lagging listings: {@code memory://} behind a
 * {@link FaultInjectingStorage} listing delay. Proves the suite's polling path for eventual
 * backends works, and that the wrapper passes everything else through unchanged.
 */
class EventualListingContractTest extends StorageContractTest {
    private static final FaultInjectingStorage STORAGE =
            FaultInjectingStorage.wrap(new MemoryStorage(), Duration.ofMillis(50));

    private final String volume = "tck-eventual-" + UUID.randomUUID();

    @Override
    protected Storage storage() {
        return STORAGE;
    }

    @Override
    protected URI newBaseDirectory() {
        return URI.create("memory://" + volume + "/");
    }

    @Override
    protected Duration listingTimeout() {
        return Duration.ofSeconds(10);
    }

    @Test
    void theSuiteSeesThisBackendAsEventual() {
        assertEquals(ListingConsistency.EVENTUAL, currentStorage().listing());
    }

    @AfterEach
    void dropVolume() {
        MemoryStorage.clear(volume);
    }

    @AfterAll
    static void closeStorage() throws IOException {
        STORAGE.close();
    }
}
