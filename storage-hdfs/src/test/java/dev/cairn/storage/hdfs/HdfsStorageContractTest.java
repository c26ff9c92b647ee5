package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.Storage;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The storage contract against {@code hdfs://} on a one-DataNode mini cluster, with the default
 * settings (publish by rename, hsync on commit). Every base directory has a space and a
 * non-ASCII letter in its name, so every test also checks the URI encoding above its files.
 */
class HdfsStorageContractTest extends HadoopStorageContractTest {
    // A listing page of 50 entries (Hadoop's default is 1000), so that listing many files
    // crosses page boundaries, as big directories do on real clusters.
    @RegisterExtension
    @Order(1)
    static final HdfsCluster HDFS = new HdfsCluster("tck", Map.of("dfs.ls.limit", "50"));
    @RegisterExtension
    @Order(2)
    static final PerClass<HadoopStorage> STORAGE = storageFor("hdfs", Map::of);

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
        FileSystemException e = assertThrows(FileSystemException.class, () -> storage().create(file("a/b"), false).close());
        assertFalse(e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException, e.toString());
        assertTrue(e.getMessage().startsWith("Cannot create file: " + file("a/b") + " (expected a directory above it, found a file"),
                e.getMessage());
    }

    @Override
    protected Storage storage() {
        return STORAGE.get();
    }

    @Override
    protected URI newBaseDirectory() {
        return HDFS.newDirectory("tck base ü");
    }
}
