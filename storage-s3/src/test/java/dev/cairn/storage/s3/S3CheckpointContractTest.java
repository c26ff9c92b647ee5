package dev.cairn.storage.s3;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.CheckpointContractTest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared checkpoint contract suite ({@code cairn-storage-tck}) on {@code s3://} against an
 * in-process S3Proxy. S3Proxy over an in-memory store lists consistently, so this run declares
 * {@code strong} listings, as the suite expects of its backends: with the default
 * {@code eventual}, a deleted or truncated part is indistinguishable from a late one and the
 * suite's missing-part tests would wait out the 60 s listing timeout and get a
 * {@code ListingTimeoutException} (the eventual path is covered by {@link S3EventualConsistencyTest}).
 * The request checksum is MD5, the one S3Proxy understands.
 */
class S3CheckpointContractTest extends CheckpointContractTest {
    private static final String BUCKET = "checkpoint-tck";
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    protected StorageProvider provider() {
        return new S3StorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() {
        return URI.create("s3://" + BUCKET + "/" + UUID.randomUUID());
    }

    @Override
    protected Map<String, String> options() {
        Map<String, String> o = new HashMap<>(server.options());
        o.put(S3StorageSettings.CHECKSUM, "md5");
        o.put(S3StorageSettings.LISTING_CONSISTENCY, "strong");
        return o;
    }
}
