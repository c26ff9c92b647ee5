package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.tck.StorageContractTest;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage contract against {@code s3a://} on an in-process S3Proxy: direct writes, aborted
 * uploads, eventual listing (the default for s3a), multipart uploads of 5 MiB parts.
 */
class S3aStorageContractTest extends StorageContractTest {
    private static S3ProxyServer s3;
    private static HadoopStorage storage;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = S3ProxyServer.start("tck");
        storage = new HadoopStorageProvider().open("s3a", CairnOptions.of(s3.s3aOptions()));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (storage != null) {
            storage.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    /** Beyond the contract: a commit on an interrupted thread (a cancelled task) publishes nothing and cleans up. */
    @Test
    void aCommitOnAnInterruptedThreadPublishesNothing() throws Exception {
        URI f = file("cancelled/part-00000");
        StorageOutput out = storage.create(f, false);
        out.write(content("cancelled", 70_000));
        Thread.currentThread().interrupt();
        try {
            InterruptedIOException e = assertThrows(InterruptedIOException.class, out::commit);
            assertTrue(e.getMessage().startsWith("Cannot commit file: " + f), e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        assertThrows(NoSuchFileException.class, () -> storage.stat(f));
        assertEquals(List.of(), listUntil(file("cancelled"), List::isEmpty), "no temporary file left either");
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    @Override
    protected URI newBaseDirectory() {
        return child(s3.bucketUri(), "tck base ü/" + UUID.randomUUID());
    }

    /** 16 MiB: four 5 MiB multipart parts through S3Proxy's in-memory store. */
    @Override
    protected long largeFileSize() {
        return 16L << 20;
    }

    /** Each file costs S3A several requests (HEAD, LIST, PUT); 100 keeps the class quick. */
    @Override
    protected int smallFileCount() {
        return 100;
    }

    @Override
    protected Duration listingTimeout() {
        return Duration.ofSeconds(5);
    }
}
