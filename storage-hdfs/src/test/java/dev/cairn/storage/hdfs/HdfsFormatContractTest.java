package dev.cairn.storage.hdfs;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.FormatContractTest;
import dev.cairn.storage.tck.StorageContractTest;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The format API's contract on {@code hdfs://}; child processes reach the mini cluster through the URI. */
class HdfsFormatContractTest extends FormatContractTest {
    private static MiniHdfs hdfs;

    @BeforeAll
    static void startCluster() throws IOException {
        hdfs = MiniHdfs.start("format-tck", 1, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Override
    protected StorageProvider provider() {
        return new HadoopStorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() {
        return StorageContractTest.child(hdfs.uri(), "format ü/" + UUID.randomUUID());
    }
}
