package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.tck.StorageContractTest;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The storage contract against {@code hdfs://} on a one-DataNode mini cluster, with the default
 * settings (publish by rename, hsync on commit). Every base directory has a space and a
 * non-ASCII letter in its name, so every test also checks the URI encoding above its files.
 */
class HdfsStorageContractTest extends StorageContractTest {
    private static MiniHdfs hdfs;
    private static HadoopStorage storage;

    @BeforeAll
    static void startCluster() throws IOException {
        // A listing page of 50 entries (Hadoop's default is 1000), so that listing many files
        // crosses page boundaries, as big directories do on real clusters.
        hdfs = MiniHdfs.start("tck", 1, Map.of("dfs.ls.limit", "50"));
        storage = new HadoopStorageProvider().open("hdfs", CairnOptions.empty());
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (storage != null) {
            storage.close();
        }
        if (hdfs != null) {
            hdfs.close();
        }
    }

    /**
     * 200 rather than 500: each file costs an HDFS create, hsync, close and rename (about 50 ms
     * on the mini cluster), and 200 already spans four listing pages.
     */
    @Override
    protected int smallFileCount() {
        return 200;
    }

    /** Beyond the contract: a file standing where a directory must be is a FileSystemException that says so. */
    @Test
    void aFileWhereADirectoryMustBeFailsTheCreate() throws Exception {
        write(file("a"), content("a", 10));
        FileSystemException e = assertThrows(FileSystemException.class, () -> storage.create(file("a/b"), false).close());
        assertFalse(e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException, e.toString());
        assertTrue(e.getMessage().startsWith("Cannot create file: " + file("a/b") + " (expected a directory above it, found a file"),
                e.getMessage());
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
        return child(hdfs.uri(), "tck base ü/" + UUID.randomUUID());
    }
}
