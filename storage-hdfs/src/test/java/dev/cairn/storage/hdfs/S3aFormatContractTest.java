package dev.cairn.storage.hdfs;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.FormatContractTest;
import dev.cairn.storage.tck.StorageContractTest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The format API's contract on {@code s3a://} against an in-process S3Proxy (strong listings, as in {@link S3aCheckpointContractTest}). */
class S3aFormatContractTest extends FormatContractTest {
    private static S3ProxyServer s3;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = S3ProxyServer.start("format-tck");
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    @Override
    protected StorageProvider provider() {
        return new HadoopStorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() {
        return StorageContractTest.child(s3.bucketUri(), "format ü/" + UUID.randomUUID());
    }

    @Override
    protected Map<String, String> options() {
        Map<String, String> options = new HashMap<>(s3.s3aOptions());
        options.put(HadoopStorageProvider.S3A_LISTING_CONSISTENCY, "strong");
        return options;
    }
}
