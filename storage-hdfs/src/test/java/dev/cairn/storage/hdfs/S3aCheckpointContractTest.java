package dev.cairn.storage.hdfs;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.CheckpointContractTest;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Core's checkpoint contract on {@code s3a://} against an in-process S3Proxy, with {@code strong}
 * listings (why: {@link S3aBucket#strongListingOptions()}). {@link S3aCheckpointTest} covers the
 * eventual path.
 */
class S3aCheckpointContractTest extends CheckpointContractTest {
    @RegisterExtension
    static final S3aBucket S3 = new S3aBucket("checkpoint-tck");

    @Override
    protected StorageProvider provider() {
        return new HadoopStorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() {
        return S3.newDirectory("ckpt ü");
    }

    @Override
    protected Map<String, String> options() {
        return S3.strongListingOptions();
    }
}
