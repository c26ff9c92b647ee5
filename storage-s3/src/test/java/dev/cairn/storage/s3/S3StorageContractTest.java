package dev.cairn.storage.s3;

import dev.cairn.storage.Storage;
import dev.cairn.storage.tck.StorageContractTest;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The storage contract against an in-process S3Proxy over real HTTP with the real SDK client.
 * The part size is S3's minimum (5 MiB), so the suite's 64 MiB file streams as a 13-part multipart
 * upload with three buffers per writer while the small files go as single PUTs. S3Proxy lists
 * consistently, so this run declares {@code strong} and the suite checks listings at once.
 * The base prefix has a space and a non-ASCII letter, so every test also checks key encoding.
 */
class S3StorageContractTest extends StorageContractTest {
    private static final String BUCKET = "tck";
    private static S3ProxyServer server;
    private static S3Storage storage;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start(BUCKET);
        storage = new S3Storage(server.settings().partSize(S3StorageSettings.MIN_PART_SIZE).uploadConcurrency(3).build());
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (storage != null) {
            storage.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    @Override
    protected URI newBaseDirectory() {
        return URI.create("s3://" + BUCKET + "/tck%20base%20%C3%BC-" + UUID.randomUUID() + "/");
    }
}
