package dev.cairn.storage.s3;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.Storage;
import dev.cairn.storage.tck.StorageContractTest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The storage contract ({@code cairn-storage-tck}) against one real S3 server, configured as a user
 * would: the server's endpoint, region, path-style and credentials, {@code strong} listings (the
 * servers here list consistently, and the suite checks listings at once on a strong store), and
 * every other option at its default. Only the part size is lowered to S3's minimum (5 MiB), so the
 * suite's 64 MiB file streams as a 13-part multipart upload while its small files go as single
 * PUTs. The base prefix has a space and a non-ASCII letter, so every test also checks key encoding.
 *
 * <p>One server per class (instance lifecycle per class, so the subclass names its server with an
 * instance method); what a server lacks is switched off with {@link ServerGaps}, with the reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ServerStorageContractTest extends StorageContractTest {
    static final String BUCKET = "tck";
    private S3TestServer server;
    private S3Storage storage;

    /** Starts the server under test with bucket {@link #BUCKET}. */
    protected abstract S3TestServer startServer() throws Exception;

    @BeforeAll
    final void startServerAndStorage() throws Exception {
        server = startServer();
        Map<String, String> options = new HashMap<>(server.options());
        options.put(S3StorageSettings.LISTING_CONSISTENCY, "strong");
        options.put(S3StorageSettings.PART_SIZE, "5MiB");
        options.put(S3StorageSettings.UPLOAD_CONCURRENCY, "3");
        storage = new S3Storage(S3StorageSettings.fromOptions(CairnOptions.of(options)));
    }

    @AfterAll
    final void stopServerAndStorage() {
        if (storage != null) {
            storage.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** The server under test. */
    protected final S3TestServer server() {
        return server;
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
