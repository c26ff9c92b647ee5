package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CorruptPartException;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.StorageOutput;
import dev.cairn.testkit.S3ProxyServer;
import java.io.InputStream;
import java.net.URI;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stores that silently lose data, built on S3Proxy's NullBlobStore: they accept every upload,
 * report every object at its right length (HEAD, GET and, with the test fix, listings), and
 * return zeros. Nothing in the S3 protocol notices; Cairn must, and must name the file.
 */
class S3SilentCorruptionTest {
    private static S3TestServer partsOnly;
    private static S3TestServer everything;

    @BeforeAll
    static void startServers() throws Exception {
        // Damage confined to the data objects, so that only the parts' CRC32C can tell.
        partsOnly = S3TestServer.of(S3ProxyServer.builder().buckets("zeros").zeros(key -> key.contains("/part-")).start());
        everything = S3TestServer.of(S3ProxyServer.builder().buckets("zeros").zeros(key -> true).start());
    }

    @AfterAll
    static void stopServers() {
        partsOnly.close();
        everything.close();
    }

    private static CairnContext context(S3TestServer server) {
        return CairnContext.builder().parallelism(2).checkpointDir("s3://zeros/run-" + UUID.randomUUID())
                .options(server.options()).option(S3StorageSettings.CHECKSUM, "md5")
                .option(S3StorageSettings.LISTING_CONSISTENCY, "strong").build();
    }

    @Test
    void theStoreReallyReturnsZerosOfTheRightLength() throws Exception {
        try (S3Storage storage = new S3Storage(everything.settings().checksum(S3Checksum.MD5).build())) {
            URI dir = URI.create("s3://zeros/probe-" + UUID.randomUUID());
            URI file = URI.create(dir + "/f");
            try (StorageOutput out = storage.create(file, false)) {
                out.write(new byte[] {1, 2, 3, 4, 5});
                out.commit();
            }
            assertEquals(5, storage.stat(file).length());
            FileStatus listed = storage.list(dir).get(0);
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
    void partsThatReadBackAsZerosFailTheVerificationByTheirCrc32cNamingThePart() {
        try (CairnContext ctx = context(partsOnly)) {
            Dataset<Long> ds = ctx.range(0, 1_000, 4).map(x -> x + 1);
            ds.checkpoint();

            CorruptPartException e = assertThrows(CorruptPartException.class, ds::count);

            assertFalse(ds.isCheckpointed(), "a checkpoint that does not read back must not cut the lineage");
            assertTrue(e.file().startsWith("part-0000"), e.getMessage());
            assertTrue(e.getMessage().contains("/" + e.file() + " (expected CRC32C "), e.getMessage());
            assertTrue(e.getMessage().contains("the store returned other bytes than were written"), e.getMessage());
            assertEquals(1_000, ctx.range(0, 1_000, 4).map(x -> x + 1).count(), "the lineage is intact");
        }
    }

    @Test
    void aStoreThatReturnsZerosForEverythingNeverPassesForACheckpoint() {
        try (CairnContext ctx = context(everything)) {
            Dataset<Long> ds = ctx.range(0, 1_000, 4).map(x -> x + 1);
            ds.checkpoint();

            CorruptPartException e = assertThrows(CorruptPartException.class, ds::count);

            assertFalse(ds.isCheckpointed());
            // The reload reads the manifest back first (it has no checksum of its own, but zeros are not JSON);
            // a core that did not would reach the parts' CRC32C instead. Either way the file is named.
            assertTrue(e.file().equals(CheckpointManifest.FILE_NAME) || e.file().startsWith("part-"), e.getMessage());
            assertTrue(e.getMessage().contains("/" + e.file() + " ("), e.getMessage());
        }
    }
}
