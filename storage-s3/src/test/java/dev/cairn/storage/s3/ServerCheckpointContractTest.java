package dev.cairn.storage.s3;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.CheckpointContractTest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The checkpoint contract ({@code cairn-storage-tck}) on {@code s3://} against one real S3 server,
 * through the public API, with the options a user of that server sets (endpoint, region,
 * path-style, credentials, CA bundle for https) plus {@code strong} listings, and everything else
 * at its default. With the default {@code eventual}, a deleted or truncated part is
 * indistinguishable from a late one, and the suite's missing-part tests would wait out the
 * listing timeout (the eventual path has its own tests: {@link S3EventualConsistencyTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerCheckpointContractTest extends CheckpointContractTest {
    static final String BUCKET = "checkpoint-tck";
    private S3TestServer server;

    /** Starts the server under test with bucket {@link #BUCKET}. */
    protected abstract S3TestServer startServer() throws Exception;

    @BeforeAll
    final void startTheServer() throws Exception {
        server = startServer();
    }

    @AfterAll
    final void stopTheServer() {
        if (server != null) {
            server.close();
        }
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
        o.put(S3StorageSettings.LISTING_CONSISTENCY, "strong");
        return o;
    }
}
