package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointStats;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;

/**
 * What the tests on eventually consistent stores share: a context per call that records commits
 * and verifications, a 32-partition dataset, and the "nothing lost" check, which reads a
 * checkpoint back from a fresh context (whose reload waits for the store to show it).
 */
abstract class EventualStoreTestSupport {
    static final int PARTS = 32;
    static final long RECORDS = PARTS * 500L;

    final List<CairnContext> contexts = new ArrayList<>();
    final List<URI> committed = new CopyOnWriteArrayList<>();
    final List<CheckpointStats> verified = new CopyOnWriteArrayList<>();
    final URI checkpointDir = URI.create("s3://" + bucket() + "/run-" + UUID.randomUUID());

    abstract S3TestServer server();

    abstract String bucket();

    @AfterEach
    void closeContexts() {
        contexts.forEach(CairnContext::close);
    }

    CairnContext context(Map<String, String> extra) {
        CairnContext.Builder b = CairnContext.builder().appName("eventual").parallelism(4).checkpointDir(checkpointDir)
                .options(server().options())
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

    static Dataset<Long> squares(CairnContext ctx) {
        return ctx.range(0, RECORDS, PARTS).map(x -> x * x);
    }

    static List<Long> expectedSquares() {
        return LongStream.range(0, RECORDS).map(x -> x * x).boxed().collect(Collectors.toList());
    }

    /** The one checkpoint committed so far. */
    URI onlyCommitted() {
        assertEquals(1, committed.size(), "committed checkpoints: " + committed);
        return committed.get(0);
    }

    /** Nothing lost: a fresh context reads every record of the checkpoint once the store shows it. */
    void assertReadableLater(URI location) {
        Dataset<Long> back = context(Map.of("cairn.checkpoint.listing.timeout", "30s")).readCheckpoint(location);
        assertEquals(expectedSquares(), back.collect());
    }
}
