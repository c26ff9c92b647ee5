package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.StorageRegistry;
import dev.cairn.testkit.S3ProxyServer;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How many LIST requests a listing wait costs on a large checkpoint: the first poll pages
 * through the whole directory, every later poll only through the stretch where parts were still
 * missing ({@code start-after}), here one request instead of ten. Counted at a proxy in front of
 * S3Proxy, with 100 keys a page so that 1,000 parts make ten pages.
 */
class S3ListingRangeTest {
    private static final String BUCKET = "ranges";
    private static final int PARTS = 1000;
    private static final int PAGE = 100;
    private static final Duration LATE = Duration.ofSeconds(6);
    private static S3ProxyServer server;
    private static FaultProxy proxy;
    private static S3Storage storage;

    @BeforeAll
    static void start() throws Exception {
        // The last two parts show in reads and listings only LATE after they were written.
        server = S3ProxyServer.builder().buckets(BUCKET).anonymous()
                .hide(key -> key.startsWith("late/") && (key.endsWith("part-00998") || key.endsWith("part-00999")), LATE).start();
        proxy = new FaultProxy(server.endpoint());
        storage = new S3Storage(S3TestServer.of(server).settings().endpoint(proxy.endpoint()).listingConsistency(ListingConsistency.EVENTUAL)
                .listPageSize(PAGE).probe(false).build());
        // Opened once here: the first open loads the SDK's, Jackson's and Kryo's classes, seconds on a busy machine, not to be spent in LATE.
        CheckpointReader.open(StorageRegistry.of("s3", storage), writeCheckpoint("range"), CairnOptions.empty());
    }

    @AfterAll
    static void stop() {
        storage.close();
        proxy.close();
        server.close();
    }

    @Test
    void laterPollsListOnlyFromTheFirstMissingPart() {
        URI location = writeCheckpoint("late");
        proxy.reset();

        CheckpointReader reader = CheckpointReader.open(StorageRegistry.of("s3", storage), location,
                CairnOptions.of(Map.of("cairn.checkpoint.listing.timeout", "30s", "cairn.checkpoint.listing.initial-delay", "100ms",
                        "cairn.checkpoint.listing.max-delay", "200ms")));

        int lists = proxy.requests(r -> r.hasQueryParameter("list-type")).size();
        assertTrue(reader.listings() > 1, "expected the two late parts to need more than one poll, found " + reader.listings()
                + " (" + lists + " LIST requests)");
        // The first poll pages through the 1,001 keys (the store drops the two late ones from their page): 11 requests.
        // Every later poll lists from part-00997 on: one request each, where a whole listing would be 11 again.
        assertEquals(11 + (reader.listings() - 1), lists, "LIST requests for " + reader.listings() + " polls");
    }

    @Test
    void aRangeCostsThePagesItSpansAndHoldsItsNames() throws Exception {
        URI location = URI.create("s3://" + BUCKET + "/range");
        proxy.reset();

        List<FileStatus> listed = storage.listRange(location, "part-00500", "part-00550");

        assertEquals(1, proxy.requests(r -> r.hasQueryParameter("list-type")).size());
        List<String> names = listed.stream().map(FileStatus::name).toList();
        assertEquals("part-00501", names.get(0));
        assertTrue(names.contains("part-00550"), names.toString());
        assertTrue(names.stream().noneMatch(n -> n.compareTo("part-00500") <= 0), names.toString());
    }

    /** Parts of a few bytes each and a manifest that names them, put straight into the blob store. */
    private static URI writeCheckpoint(String dir) {
        var blobs = server.blobStore();
        List<CheckpointManifest.Part> parts = new ArrayList<>();
        for (int i = 0; i < PARTS; i++) {
            parts.add(new CheckpointManifest.Part(CheckpointManifest.partName(i), 1 + i % 7, 0, 0));
        }
        byte[] json = new CheckpointManifest(CheckpointManifest.FORMAT_VERSION, 1, null, "ds", "app", "ctx", PARTS, parts, "kryo", "none",
                Instant.now(), null, 0, Map.of(), CheckpointManifest.DEFAULT_BLOCK_SIZE).toJson();
        blobs.putBlob(BUCKET, blobs.blobBuilder(dir + "/" + CheckpointManifest.FILE_NAME).payload(json)
                .contentLength((long) json.length).build());
        // Parts last, the last two (the late ones, under "late/") last of all: their LATE runs from just before the reader starts.
        for (CheckpointManifest.Part p : parts) {
            byte[] data = new byte[(int) p.bytes()];
            blobs.putBlob(BUCKET, blobs.blobBuilder(dir + "/" + p.name()).payload(data).contentLength((long) data.length).build());
        }
        return URI.create("s3://" + BUCKET + "/" + dir);
    }
}
