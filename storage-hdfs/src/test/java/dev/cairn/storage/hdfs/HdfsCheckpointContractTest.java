package dev.cairn.storage.hdfs;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.CheckpointContractTest;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Core's checkpoint contract on {@code hdfs://}, one single-DataNode mini cluster for the class. */
class HdfsCheckpointContractTest extends CheckpointContractTest {
    @RegisterExtension
    static final HdfsCluster HDFS = new HdfsCluster("checkpoint-tck");

    @Override
    protected StorageProvider provider() {
        return new HadoopStorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() {
        return HDFS.newDirectory("ckpt ü");
    }
}
