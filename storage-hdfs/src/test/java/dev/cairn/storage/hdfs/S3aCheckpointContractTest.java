package dev.cairn.storage.hdfs;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.CheckpointContractTest;
import dev.cairn.storage.tck.StorageContractTest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Core's checkpoint contract on {@code s3a://} against an in-process S3Proxy. S3Proxy over an
 * in-memory store lists consistently, so this run declares {@code strong} listings, as the suite
 * expects of its backends: with s3a's default {@code eventual}, a deleted or truncated part looks
 * like a late one, and the suite's missing-part tests would wait out the 60 s listing timeout for
 * a {@code ListingTimeoutException}. {@link S3aCheckpointTest} covers the eventual path.
 */
class S3aCheckpointContractTest extends CheckpointContractTest {
    private static S3ProxyServer s3;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = S3ProxyServer.start("checkpoint-tck");
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
        return StorageContractTest.child(s3.bucketUri(), "ckpt ü/" + UUID.randomUUID());
    }

    @Override
    protected Map<String, String> options() {
        Map<String, String> options = new HashMap<>(s3.s3aOptions());
        options.put(HadoopStorageProvider.S3A_LISTING_CONSISTENCY, "strong");
        return options;
    }
}
