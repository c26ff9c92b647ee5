package dev.cairn.storage.hdfs;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Checkpoints on {@code hdfs://}, one single-DataNode mini cluster for the class. */
class HdfsCheckpointTest extends HadoopCheckpointTest {
    private static MiniHdfs hdfs;

    @BeforeAll
    static void startCluster() throws IOException {
        hdfs = MiniHdfs.start("checkpoint", 1, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Override
    protected URI checkpointBase() {
        return URI.create(hdfs.uri() + "/checkpoints");
    }

    @Override
    protected Map<String, String> storeOptions() {
        return Map.of();
    }
}
