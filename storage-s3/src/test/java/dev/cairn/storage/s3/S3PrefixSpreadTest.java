package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointOptions;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointSpec;
import dev.cairn.checkpoint.CheckpointWriter;
import dev.cairn.checkpoint.PartIterator;
import dev.cairn.checkpoint.PartReceipt;
import dev.cairn.checkpoint.PartWriter;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.StorageRegistry;
import dev.cairn.testkit.S3ProxyServer;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code cairn.checkpoint.prefix-spread} on the S3 protocol: a checkpoint of 32 parts with a spread
 * of 8 sends its part PUTs to 8 distinct key prefixes, 4 each (counted at a proxy in front of
 * S3Proxy), and reads back whole through a second storage; when one part is late in an eventually
 * consistent store, the polls after the first list only that part's sub-prefix.
 */
class S3PrefixSpreadTest {
    private static final String BUCKET = "spread";
    private static final int PARTS = 32;
    private static final int SPREAD = 8;
    private static final Duration LATE = Duration.ofSeconds(2);
    private static S3ProxyServer server;
    private static FaultProxy proxy;
    private static S3Storage storage;

    @BeforeAll
    static void start() throws Exception {
        // Part 5 of the "late" checkpoint shows in reads and listings only LATE after it was written.
        server = S3ProxyServer.builder().buckets(BUCKET).anonymous()
                .hide(key -> key.startsWith("late/") && key.endsWith("/part-00005"), LATE).start();
        proxy = new FaultProxy(server.endpoint());
        storage = new S3Storage(S3TestServer.of(server).settings().endpoint(proxy.endpoint())
                .listingConsistency(ListingConsistency.EVENTUAL).checkStoredSize(false).probe(false).build());
    }

    @AfterAll
    static void stop() {
        storage.close();
        proxy.close();
        server.close();
    }

    private static final CairnOptions OPTIONS = CairnOptions.of(Map.of(CheckpointOptions.PREFIX_SPREAD, String.valueOf(SPREAD),
            "cairn.checkpoint.listing.timeout", "30s", "cairn.checkpoint.listing.initial-delay", "100ms",
            "cairn.checkpoint.listing.max-delay", "200ms"));

    private static CheckpointWriter write(URI location) {
        StorageRegistry registry = StorageRegistry.of("s3", storage);
        CheckpointWriter writer = CheckpointWriter.create(registry, CheckpointSpec.builder(location).options(OPTIONS)
                .dataset("spread").build());
        List<PartReceipt> receipts = new ArrayList<>();
        for (int p = 0; p < PARTS; p++) {
            try (PartWriter part = writer.openPart(p)) {
                for (int r = 0; r < 50; r++) {
                    part.write("p" + p + "-r" + r);
                }
                receipts.add(part.commit());
            }
        }
        writer.commit(receipts, PARTS, null, Map.of());
        return writer;
    }

    @Test
    void partPutsGoToAsManyKeyPrefixesAsTheSpreadAndTheCheckpointReadsBack() throws Exception {
        URI location = URI.create("s3://" + BUCKET + "/ckpt/ctx/dataset-1");
        proxy.reset();
        CheckpointReader reloaded = write(location).reload();

        // Keys the parts were PUT to: /<bucket>/ckpt/ctx/dataset-1/<pp>/part-NNNNN, each once (the first PUT of this storage
        // may be sent twice: S3Proxy refuses the CRC32C header and the storage falls back to Content-MD5).
        TreeMap<String, Integer> putsByPrefix = new TreeMap<>();
        TreeSet<String> keys = new TreeSet<>();
        proxy.requests(r -> r.method().equals("PUT") && r.rawPath().contains("/part-"))
                .forEach(r -> keys.add(URLDecoder.decode(r.rawPath(), StandardCharsets.UTF_8)));
        assertEquals(PARTS, keys.size(), keys.toString());
        for (String key : keys) {
            String prefix = key.substring(0, key.lastIndexOf('/'));
            putsByPrefix.merge(prefix, 1, Integer::sum);
        }
        assertEquals(SPREAD, putsByPrefix.size(), putsByPrefix.toString());
        putsByPrefix.forEach((prefix, puts) -> assertEquals(PARTS / SPREAD, puts, prefix));
        TreeSet<String> expected = new TreeSet<>();
        for (int slot = 0; slot < SPREAD; slot++) {
            expected.add("/" + BUCKET + "/ckpt/ctx/dataset-1/" + CheckpointLayout.subPrefix(slot));
        }
        assertEquals(expected, putsByPrefix.navigableKeySet());
        assertEquals(CheckpointManifest.SPREAD_FORMAT_VERSION, reloaded.manifest().formatVersion());

        // A reader in another process: a fresh storage, nothing cached.
        try (S3Storage other = new S3Storage(S3TestServer.of(server).settings().probe(false).build())) {
            StorageRegistry registry = StorageRegistry.of("s3", other);
            CheckpointReader reader = CheckpointReader.open(registry, location, CairnOptions.empty());
            reader.expectPartitions(PARTS);
            for (int p = 0; p < PARTS; p++) {
                List<String> records = new ArrayList<>();
                try (PartIterator<String> it = reader.openPart(registry, p)) {
                    it.forEachRemaining(records::add);
                }
                assertEquals(50, records.size());
                assertEquals("p" + p + "-r49", records.get(49));
                reader.verifyPart(registry, p);
            }
        }
    }

    @Test
    void pollsAfterTheFirstListOnlyTheSubPrefixStillMissingAPart() {
        URI location = URI.create("s3://" + BUCKET + "/late/ctx/dataset-1");
        CheckpointWriter writer = write(location);
        proxy.reset();

        CheckpointReader reader = writer.reload();

        List<String> lists = new ArrayList<>();
        for (FaultProxy.Request r : proxy.requests(r -> r.method().equals("GET") && r.hasQueryParameter("list-type"))) {
            String prefix = URLDecoder.decode(r.rawQuery().replaceAll(".*(^|&)prefix=([^&]*).*", "$2"), StandardCharsets.UTF_8);
            lists.add(prefix);
        }
        assertTrue(reader.listings() > 1, "part 5 was late: more than one poll expected, found " + reader.listings() + ": " + lists);
        String late = "late/ctx/dataset-1/" + CheckpointLayout.subPrefix(5 % SPREAD) + "/";
        // First poll: the directory (for the manifest) and each of the 8 sub-prefixes; then only the late part's sub-prefix.
        assertEquals(1 + SPREAD, new TreeSet<>(lists.subList(0, 1 + SPREAD)).size(), lists.toString());
        assertEquals(List.of(late), lists.subList(1 + SPREAD, lists.size()).stream().distinct().toList(), lists.toString());
        assertEquals(1 + SPREAD + (reader.listings() - 1), lists.size(), lists.toString());
    }
}
