package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.ListingTimeoutException;
import dev.cairn.MissingPartException;
import dev.cairn.checkpoint.CheckpointStats;
import dev.cairn.testkit.S3ProxyServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed failure exactly as Spark met it on AWS S3 before December 2020: new objects are
 * readable at once, but listings show them only {@value #DELAY_MS} ms later. Here the listing
 * waiter alone stands between a checkpoint and the partition-count failure:
 *
 * <ul>
 *   <li>with polling it lists until all 32 parts show, and says how often and how long;</li>
 *   <li>without, it fails with the partition-count error Spark gave, but naming the files;</li>
 *   <li>past the timeout it throws a {@link ListingTimeoutException} naming the missing parts,
 *       the time waited and the listings made;</li>
 *   <li>and nothing is lost: the checkpoint reads back later.</li>
 * </ul>
 */
class S3LaggingListingsTest extends EventualStoreTestSupport {
    private static final long DELAY_MS = 2_000;
    private static final String BUCKET = "lagging";
    private static S3TestServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.of(S3ProxyServer.builder().buckets(BUCKET).listingDelay(Duration.ofMillis(DELAY_MS)).start());
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Override
    S3TestServer server() {
        return server;
    }

    @Override
    String bucket() {
        return BUCKET;
    }

    @Test
    void withPollingTheWaiterListsUntilAll32PartsShow() {
        CairnContext ctx = context(Map.of("cairn.checkpoint.listing.timeout", "30s"));
        Dataset<Long> ds = squares(ctx);
        ds.checkpoint();

        assertEquals(RECORDS, ds.count());

        assertTrue(ds.isCheckpointed());
        CheckpointStats stats = verified.get(0);
        assertTrue(stats.listings() > 1, "the first listing cannot have shown every part: " + stats.summary());
        assertTrue(stats.verifyTime().toMillis() >= DELAY_MS / 2, stats.summary());
        assertEquals(expectedSquares(), ds.collect());
        assertReadableLater(ds.checkpointLocation().orElseThrow());
    }

    @Test
    void withoutPollingItFailsWithThePartitionCountErrorNamingTheFilesAndLosesNothing() {
        Dataset<Long> ds = squares(context(Map.of(S3StorageSettings.LISTING_CONSISTENCY, "strong")));
        ds.checkpoint();

        MissingPartException e = assertThrows(MissingPartException.class, ds::count);

        assertFalse(ds.isCheckpointed());
        // Spark said "different number of partitions"; this says which files the listing lacked.
        assertTrue(e.getMessage().contains("expected " + PARTS + " files listed in _manifest.json, found "), e.getMessage());
        assertTrue(e.getMessage().contains("missing: [part-0000"), e.getMessage());
        assertTrue(e.file().startsWith("part-"), e.getMessage());
        assertReadableLater(onlyCommitted());
    }

    @Test
    void pastTheTimeoutItFailsNamingTheMissingPartsTheWaitAndTheListingsAndLosesNothing() {
        Dataset<Long> ds = squares(context(Map.of("cairn.checkpoint.listing.timeout", "500ms")));
        ds.checkpoint();

        ListingTimeoutException e = assertThrows(ListingTimeoutException.class, ds::count);

        assertFalse(ds.isCheckpointed());
        assertFalse(e.missingParts().isEmpty());
        assertTrue(e.missingParts().stream().allMatch(p -> p.startsWith("part-")), e.missingParts().toString());
        assertTrue(e.getMessage().contains(e.missingParts().get(0)), e.getMessage());
        assertTrue(e.waited().compareTo(Duration.ofMillis(500)) >= 0, e.waited().toString());
        assertTrue(e.listings() > 1, e.getMessage());
        assertTrue(e.getMessage().contains("cairn.checkpoint.listing.timeout"), e.getMessage());
        assertReadableLater(onlyCommitted());
    }
}
