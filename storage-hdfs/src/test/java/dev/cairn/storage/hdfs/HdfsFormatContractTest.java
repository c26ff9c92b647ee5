package dev.cairn.storage.hdfs;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.FormatContractTest;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The format API's contract on {@code hdfs://}; child processes reach the mini cluster through the URI. */
class HdfsFormatContractTest extends FormatContractTest {
    @RegisterExtension
    static final HdfsCluster HDFS = new HdfsCluster("format-tck");

    @Override
    protected StorageProvider provider() {
        return new HadoopStorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() {
        return HDFS.newDirectory("format ü");
    }
}
