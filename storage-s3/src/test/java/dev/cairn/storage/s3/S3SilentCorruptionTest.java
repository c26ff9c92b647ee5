package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CorruptPartException;
import dev.cairn.Dataset;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.StorageOutput;
import java.io.InputStream;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A store that silently loses data: S3Proxy's NullBlobStore accepts every upload, reports every
 * object at its right length (HEAD, GET and, with the test fix, listings), and returns zeros.
 * Nothing in the S3 protocol notices; Cairn's CRC32C of each part must, naming the part.
 */
class S3SilentCorruptionTest {
    private static final String BUCKET = "zeros";
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.builder().buckets(BUCKET).zeros().start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void theStoreReallyReturnsZerosOfTheRightLength() throws Exception {
        try (S3Storage storage = new S3Storage(server.settings().checksum(S3Checksum.MD5).build())) {
            URI file = URI.create("s3://" + BUCKET + "/probe-" + UUID.randomUUID() + "/f");
            try (StorageOutput out = storage.create(file, false)) {
                out.write(new byte[] {1, 2, 3, 4, 5});
                out.commit();
            }
            assertEquals(5, storage.stat(file).length());
            FileStatus listed = storage.list(URI.create(file.toString().replace("/f", ""))).get(0);
            assertEquals(5, listed.length());
            try (InputStream in = storage.open(file)) {
                assertEquals(5, in.readAllBytes().length);
            }
            try (InputStream in = storage.open(file)) {
                assertEquals(0, in.read(), "the null store returns zeros");
            }
        }
    }

    @Test
    void aCheckpointOnAStoreThatReturnsZerosFailsItsVerificationNamingThePart() {
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir("s3://" + BUCKET + "/run-" + UUID.randomUUID())
                .options(server.options()).option(S3StorageSettings.CHECKSUM, "md5")
                .option(S3StorageSettings.LISTING_CONSISTENCY, "strong").build()) {
            Dataset<Long> ds = ctx.range(0, 1_000, 4).map(x -> x + 1);
            ds.checkpoint();

            CorruptPartException e = assertThrows(CorruptPartException.class, ds::count);

            assertFalse(ds.isCheckpointed(), "a checkpoint that does not read back must not cut the lineage");
            assertTrue(e.file().startsWith("part-0000"), e.getMessage());
            assertTrue(e.getMessage().contains("/" + e.file() + " (expected CRC32C "), e.getMessage());
            assertTrue(e.getMessage().contains("the store returned other bytes than were written"), e.getMessage());
            // the lineage is intact: the data is still computable
            assertEquals(1_000, ctx.range(0, 1_000, 4).map(x -> x + 1).count());
        }
    }
}
