package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.tck.StorageContractTest;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The storage contract, and what {@link HadoopStorage} promises beyond it on every file system. */
abstract class HadoopStorageContractTest extends StorageContractTest {
    /**
     * The storage under test for the class, opened for {@code scheme} with {@code options} once the
     * server is up: register it after the server's extension ({@code @Order}).
     */
    static PerClass<HadoopStorage> storageFor(String scheme, Supplier<Map<String, String>> options) {
        return new PerClass<>(() -> new HadoopStorageProvider().open(scheme, CairnOptions.of(options.get())));
    }

    /** Beyond the contract: a commit on an interrupted thread (a cancelled task) publishes nothing and cleans up. */
    @Test
    void aCommitOnAnInterruptedThreadPublishesNothing() throws Exception {
        URI f = file("cancelled/part-00000");
        StorageOutput out = storage().create(f, false);
        out.write(content("cancelled", 70_000));
        Thread.currentThread().interrupt();
        try {
            InterruptedIOException e = assertThrows(InterruptedIOException.class, out::commit);
            assertTrue(e.getMessage().startsWith("Cannot commit file: " + f), e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        assertThrows(NoSuchFileException.class, () -> storage().stat(f));
        assertEquals(List.of(), listUntil(file("cancelled"), List::isEmpty), "no temporary file left either");
    }
}
