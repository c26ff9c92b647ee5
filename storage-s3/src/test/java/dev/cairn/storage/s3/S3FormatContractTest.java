package dev.cairn.storage.s3;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.FormatContractTest;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The format API's contract on {@code s3://} against an in-process S3Proxy (strong listings and
 * MD5 request checksums, for the reasons {@link S3CheckpointContractTest} gives). Child processes
 * reach the same S3Proxy through the endpoint in the spec's options.
 */
class S3FormatContractTest extends FormatContractTest {
    private static final String BUCKET = "format-tck";
    private static S3TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.start(BUCKET);
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
