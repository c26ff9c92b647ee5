package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.ListingConsistency;
import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The provider's schemes, options and errors; nothing here needs a server. */
class HadoopStorageProviderTest {

    @Test
    void servesTheHadoopSchemesButNeverFile() {
        assertEquals(new TreeSet<>(Set.of("hdfs", "s3a", "viewfs", "webhdfs")), new HadoopStorageProvider().schemes());
        assertEquals(new TreeSet<>(Set.of("abfs", "gs", "hdfs", "s3a", "viewfs", "webhdfs")),
                HadoopStorageProvider.withExtraSchemes("ABFS", " gs ").schemes());

        CairnException file = assertThrows(CairnException.class, () -> HadoopStorageProvider.withExtraSchemes("file"));
        assertTrue(file.getMessage().contains("cairn-storage-local"), file.getMessage());
        CairnException bad = assertThrows(CairnException.class, () -> HadoopStorageProvider.withExtraSchemes("no scheme!"));
        assertTrue(bad.getMessage().startsWith("Cannot register scheme: 'no scheme!' (expected"), bad.getMessage());
    }

    @Test
    void anOptionAddsSchemesForOneContext() {
        CairnOptions gs = CairnOptions.of(Map.of(HadoopStorageProvider.SCHEMES, "gs, ABFS"));
        assertEquals(new TreeSet<>(Set.of("abfs", "gs", "hdfs", "s3a", "viewfs", "webhdfs")),
                new HadoopStorageProvider().schemes(gs));
        try (CairnContext ctx = CairnContext.builder().option(HadoopStorageProvider.SCHEMES, "gs")
                .checkpointDir("gs://bucket/ckpt").build()) {
            assertEquals(URI.create("gs://bucket/other"), ctx.resolveLocation("gs://bucket/other"),
                    "the discovered provider serves gs in this context");
        }
        try (CairnContext other = CairnContext.builder().build()) {
            CairnException notServed = assertThrows(CairnException.class, () -> other.resolveLocation("gs://bucket/other"));
            assertTrue(notServed.getMessage().contains("'gs'"), "and only in that context: " + notServed.getMessage());
        }
        CairnException file = assertThrows(CairnException.class,
                () -> CairnContext.builder().option(HadoopStorageProvider.SCHEMES, "file").build());
        assertTrue(file.getMessage().startsWith("Cannot read option cairn.hdfs.schemes: 'file'"), file.getMessage());
    }

    @Test
    void optionsAreKnownToTheContextAndTyposNameTheNearestKey() {
        try (CairnContext ctx = CairnContext.builder()
                .option("cairn.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000")
                .option(HadoopStorageProvider.SYNC, "hflush")
                .option(HadoopStorageProvider.S3A_LISTING_CONSISTENCY, "strong")
                .option(HadoopStorageProvider.DIRECT_WRITE_SCHEMES, "s3a,gs")
                .option(HadoopStorageProvider.CONF_DIR, "/etc/hadoop/conf")
                .build()) {
            assertEquals("hflush", ctx.options().get(HadoopStorageProvider.SYNC).orElseThrow());
        }
        CairnException typo = assertThrows(CairnException.class,
                () -> CairnContext.builder().option("cairn.hdfs.snyc", "none").build());
        assertTrue(typo.getMessage().contains("'cairn.hdfs.sync'"), typo.getMessage());
    }

    @Test
    void invalidOptionValuesFailWithTheKeyAndTheValuesAllowed() {
        HadoopStorageProvider provider = new HadoopStorageProvider();
        CairnException sync = assertThrows(CairnException.class,
                () -> provider.open("hdfs", CairnOptions.of(Map.of(HadoopStorageProvider.SYNC, "fsync"))));
        assertTrue(sync.getMessage().startsWith("Cannot read option cairn.hdfs.sync: (expected hsync, hflush or none, found 'fsync'"),
                sync.getMessage());
        CairnException listing = assertThrows(CairnException.class,
                () -> provider.open("s3a", CairnOptions.of(Map.of(HadoopStorageProvider.S3A_LISTING_CONSISTENCY, "sometimes"))));
        assertTrue(listing.getMessage().contains("expected strong or eventual, found 'sometimes'"), listing.getMessage());
        CairnException confDir = assertThrows(CairnException.class,
                () -> provider.open("hdfs", CairnOptions.of(Map.of(HadoopStorageProvider.CONF_DIR, "/no/such/hadoop/conf"))));
        assertTrue(confDir.getMessage().startsWith("Cannot read Hadoop configuration directory: /no/such/hadoop/conf"),
                confDir.getMessage());
        assertThrows(IllegalArgumentException.class, () -> provider.open("gs", CairnOptions.empty()));
    }

    @Test
    void capabilitiesFollowTheScheme() throws IOException {
        HadoopStorageProvider provider = new HadoopStorageProvider();
        try (HadoopStorage hdfs = provider.open("hdfs", CairnOptions.empty());
             HadoopStorage s3a = provider.open("s3a", CairnOptions.empty());
             HadoopStorage s3aStrong = provider.open("s3a", CairnOptions.of(Map.of(HadoopStorageProvider.S3A_LISTING_CONSISTENCY,
                     "strong")));
             HadoopStorage webhdfs = provider.open("webhdfs", CairnOptions.of(Map.of(HadoopStorageProvider.SYNC, "none")))) {
            assertEquals(ListingConsistency.STRONG, hdfs.listing());
            assertTrue(hdfs.publishesByRename());
            assertEquals("hsync", hdfs.syncOnCommit());

            assertEquals(ListingConsistency.EVENTUAL, s3a.listing(), "eventual by default, as cairn.s3.*");
            assertFalse(s3a.publishesByRename());
            assertEquals(ListingConsistency.STRONG, s3aStrong.listing());

            assertTrue(webhdfs.publishesByRename());
            assertEquals("none", webhdfs.syncOnCommit());
        }
    }

    @Test
    void aUriOfAnotherSchemeIsACallerBug() throws IOException {
        try (HadoopStorage hdfs = new HadoopStorageProvider().open("hdfs", CairnOptions.empty())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hdfs.stat(URI.create("s3a://b/x")));
            assertEquals("Cannot stat file: s3a://b/x (expected a hdfs:// URI, found scheme s3a)", e.getMessage());
        }
    }

    @Test
    void aSchemeWithoutAConnectorFailsNamingTheScheme() throws IOException {
        try (HadoopStorage abfs = HadoopStorageProvider.withExtraSchemes("abfs").open("abfs", CairnOptions.empty())) {
            IOException e = assertThrows(IOException.class,
                    () -> abfs.stat(URI.create("abfs://container@account.dfs.core.windows.net/ckpt")));
            assertTrue(e.getMessage().startsWith("Cannot stat file: abfs://container@account.dfs.core.windows.net/ckpt"
                    + " (expected a Hadoop file system for abfs://container@account.dfs.core.windows.net/"), e.getMessage());
            assertTrue(e.getMessage().contains("connector for 'abfs' is on the class path"), e.getMessage());
        }
    }

    @Test
    void aClosedStorageRefusesWork() throws IOException {
        HadoopStorage hdfs = new HadoopStorageProvider().open("hdfs", CairnOptions.empty());
        hdfs.close();
        hdfs.close(); // idempotent
        IOException e = assertThrows(IOException.class, () -> hdfs.list(URI.create("hdfs://nn:8020/x")));
        assertTrue(e.getMessage().contains("found it closed"), e.getMessage());
    }

    @Test
    void temporaryNamesAreHiddenAndBounded() {
        String name = HadoopStorage.temporaryName("part-00007");
        assertTrue(name.startsWith(".part-00007."), name);
        assertTrue(HadoopStorage.isTemporaryName(name), name);
        assertFalse(HadoopStorage.isTemporaryName("part-00007"));
        String longName = HadoopStorage.temporaryName("ü".repeat(200));
        assertTrue(longName.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255, longName);
    }
}
