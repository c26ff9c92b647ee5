package dev.cairn.storage.hdfs;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.CheckpointContractTest;
import dev.cairn.storage.tck.StorageContractTest;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Core's checkpoint contract on {@code hdfs://}, one single-DataNode mini cluster for the class. */
class HdfsCheckpointContractTest extends CheckpointContractTest {
    private static MiniHdfs hdfs;

    @BeforeAll
    static void startCluster() throws IOException {
        hdfs = MiniHdfs.start("checkpoint-tck", 1, Map.of());
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
        return StorageContractTest.child(hdfs.uri(), "ckpt ü/" + UUID.randomUUID());
    }
}
