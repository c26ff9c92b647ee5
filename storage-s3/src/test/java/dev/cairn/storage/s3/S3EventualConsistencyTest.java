package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.ListingTimeoutException;
import dev.cairn.MissingPartException;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointStats;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed failure, reproduced: a store whose listings (and reads) show each write only
 * {@value #DELAY_MS} ms after it was acknowledged, which is S3Proxy's EventualBlobStore. A
 * checkpoint lists its directory right after writing its parts. Spark listed once, saw too few
 * files, and failed with "Checkpoint RDD has a different number of partitions from original RDD".
 *
 * <ul>
 *   <li>With polling on ({@code cairn.s3.listing.consistency=eventual}, the default) a 32-part
 *       checkpoint succeeds every time.</li>
 *   <li>With polling off ({@code strong}) the same checkpoint fails, naming the parts the listing
 *       did not show.</li>
 *   <li>With the delay longer than {@code cairn.checkpoint.listing.timeout} it fails with a
 *       {@link ListingTimeoutException} naming the missing parts.</li>
 *   <li>In both failures nothing is lost: the committed files are all there, and a later
 *       {@code readCheckpoint} reads them once the store shows them.</li>
 * </ul>
 */
class S3EventualConsistencyTest {
    private static final long DELAY_MS = 2_000;
    private static final int PARTS = 32;
    private static final String BUCKET = "eventual";
    private static S3ProxyServer server;

    private final List<CairnContext> contexts = new ArrayList<>();
    private final List<URI> committed = new CopyOnWriteArrayList<>();
    private final List<CheckpointStats> verified = new CopyOnWriteArrayList<>();
    private final URI checkpointDir = URI.create("s3://" + BUCKET + "/run-" + UUID.randomUUID());

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.builder().buckets(BUCKET).eventual(Duration.ofMillis(DELAY_MS)).start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @AfterEach
    void closeContexts() {
        contexts.forEach(CairnContext::close);
    }

    private CairnContext context(Map<String, String> extra) {
        CairnContext.Builder b = CairnContext.builder().appName("eventual").parallelism(4).checkpointDir(checkpointDir)
                .options(server.options())
                .option(S3StorageSettings.CHECKSUM, "md5")
                .checkpointListener(new CheckpointListener() {
                    @Override
                    public void committed(String dataset, URI location, CheckpointManifest manifest) {
                        committed.add(location);
                    }

                    @Override
                    public void verified(String dataset, URI location, CheckpointStats stats) {
                        verified.add(stats);
                    }
                });
        extra.forEach(b::option);
        CairnContext ctx = b.build();
        contexts.add(ctx);
        return ctx;
    }

    private static Dataset<Long> squares(CairnContext ctx) {
        return ctx.range(0, PARTS * 500L, PARTS).map(x -> x * x);
    }

    private static List<Long> expectedSquares() {
        return LongStream.range(0, PARTS * 500L).map(x -> x * x).boxed().collect(Collectors.toList());
    }

    @Test
    void withPollingACheckpointOf32PartsSucceedsDespiteSecondsOfListingDelay() {
        CairnContext ctx = context(Map.of("cairn.checkpoint.listing.timeout", "30s"));
        Dataset<Long> ds = squares(ctx);
        ds.checkpoint();

        assertEquals(PARTS * 500L, ds.count());

        assertTrue(ds.isCheckpointed());
        assertEquals(1, verified.size());
        CheckpointStats stats = verified.get(0);
        assertEquals(PARTS, stats.parts());
        assertTrue(stats.listings() > 1, "the first listing cannot have shown every part: " + stats.summary());
        assertTrue(stats.verifyTime().toMillis() >= DELAY_MS / 2, stats.summary());
        assertEquals(expectedSquares(), ds.collect());

        Dataset<Long> back = context(Map.of()).readCheckpoint(ds.checkpointLocation().orElseThrow());
        assertEquals(expectedSquares(), back.collect());
    }

    @Test
    void withoutPollingTheSameCheckpointFailsNamingThePartsTheListingMissedAndLosesNothing() {
        CairnContext ctx = context(Map.of(S3StorageSettings.LISTING_CONSISTENCY, "strong"));
        Dataset<Long> ds = squares(ctx);
        ds.checkpoint();

        MissingPartException e = assertThrows(MissingPartException.class, ds::count);
        assertFalse(ds.isCheckpointed());
        // Spark's error gave two partition counts; this one names the files.
        assertTrue(e.getMessage().contains("expected " + PARTS + " files listed in _manifest.json, found "), e.getMessage());
        assertTrue(e.getMessage().contains("missing: [part-00000"), e.getMessage());
        assertTrue(e.file().startsWith("part-"), e.getMessage());

        // Committed before the listing failed: once the store shows the files, they read back whole.
        assertEquals(1, committed.size());
        Dataset<Long> back = context(Map.of("cairn.checkpoint.listing.timeout", "30s")).readCheckpoint(committed.get(0));
        assertEquals(expectedSquares(), back.collect());
    }

    @Test
    void aDelayLongerThanTheTimeoutFailsNamingTheMissingPartsAndLosesNothing() {
        CairnContext ctx = context(Map.of("cairn.checkpoint.listing.timeout", "500ms"));
        Dataset<Long> ds = squares(ctx);
        ds.checkpoint();

        ListingTimeoutException e = assertThrows(ListingTimeoutException.class, ds::count);
        assertFalse(e.missingParts().isEmpty());
        assertTrue(e.missingParts().stream().allMatch(p -> p.startsWith("part-")), e.missingParts().toString());
        assertTrue(e.getMessage().contains(e.missingParts().get(0)), e.getMessage());
        assertTrue(e.waited().compareTo(Duration.ofMillis(500)) >= 0, e.waited().toString());
        assertTrue(e.listings() > 1, e.getMessage());
        assertTrue(e.getMessage().contains("cairn.checkpoint.listing.timeout"), e.getMessage());

        assertEquals(1, committed.size());
        URI location = committed.get(0);
        assertNotNull(location);
        Dataset<Long> back = context(Map.of("cairn.checkpoint.listing.timeout", "30s")).readCheckpoint(location);
        assertEquals(expectedSquares(), back.collect());
    }
}
