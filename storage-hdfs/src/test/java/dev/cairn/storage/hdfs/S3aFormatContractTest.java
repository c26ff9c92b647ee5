package dev.cairn.storage.hdfs;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.FormatContractTest;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The format API's contract on {@code s3a://} against an in-process S3Proxy (strong listings, as in {@link S3aCheckpointContractTest}). */
class S3aFormatContractTest extends FormatContractTest {
    @RegisterExtension
    static final S3aBucket S3 = new S3aBucket("format-tck");

    @Override
    protected StorageProvider provider() {
        return new HadoopStorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() {
        return S3.newDirectory("format ü");
    }

    @Override
    protected Map<String, String> options() {
        return S3.strongListingOptions();
    }
}
