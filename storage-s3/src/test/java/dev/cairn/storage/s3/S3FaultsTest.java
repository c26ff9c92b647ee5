package dev.cairn.storage.s3;

import static dev.cairn.storage.s3.S3CheckpointTest.listRecursively;
import static dev.cairn.storage.s3.S3CheckpointTest.uploadsUnder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointIOException;
import dev.cairn.CheckpointMode;
import dev.cairn.CorruptPartException;
import dev.cairn.Dataset;
import dev.cairn.testkit.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Faults of an S3 store while a checkpoint is written or read, through the real SDK client, a
 * {@link FaultProxy} and S3Proxy behind it: throttling with {@code Retry-After}, connections reset
 * in the middle of an upload or a download, {@code 500} on UploadPart, and the {@code 200 OK} with
 * an error document that CompleteMultipartUpload can answer. Each is either retried (the
 * checkpoint commits and reads back whole) or, when it outlasts the retries, fails clean: no
 * manifest, no part, no multipart upload left, the lineage intact (the next action commits), and
 * never a {@link CorruptPartException}. docs/reliability.md ("Faults") has the matrix.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class S3FaultsTest {
    private static final Logger LOG = LoggerFactory.getLogger(S3FaultsTest.class);
    private static final String BUCKET = "faults";
    private static final int RECORD = 256 * 1024;
    private static S3TestServer server;
    private static FaultProxy proxy;
    private static S3Storage direct;

    private final List<CairnContext> contexts = new ArrayList<>();
    private URI checkpointDir;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.of(S3ProxyServer.builder().buckets(BUCKET).anonymous().start());
        proxy = new FaultProxy(server.endpoint());
        direct = new S3Storage(server.settings().checksum(S3Checksum.MD5).probe(false).build());
    }

    @AfterAll
    static void stop() throws Exception {
        direct.close();
        proxy.close();
        server.close();
    }

    @BeforeEach
    void newDirectory() {
        checkpointDir = URI.create("s3://" + BUCKET + "/run-" + UUID.randomUUID());
        proxy.reset();
    }

    @AfterEach
    void closeContexts() {
        contexts.forEach(CairnContext::close);
    }

    /** A context whose S3 requests go through the proxy; three attempts per request (the SDK's default). */
    private CairnContext context() {
        Map<String, String> options = new HashMap<>(server.options());
        options.put(S3StorageSettings.ENDPOINT, proxy.endpoint().toString());
        options.put(S3StorageSettings.CHECKSUM, "md5");
        options.put(S3StorageSettings.PROBE, "false");
        options.put(S3StorageSettings.PART_SIZE, "5MiB");
        options.put(S3StorageSettings.MAX_ATTEMPTS, "3");
        CairnContext ctx = CairnContext.builder().appName("s3-faults").parallelism(2).checkpointDir(checkpointDir).options(options)
                .build();
        contexts.add(ctx);
        return ctx;
    }

    /** Two partitions of {@code recordsPerPartition} records of 256 KiB: 1 MiB parts are one PUT, 6 MiB parts a multipart upload. */
    private static Dataset<byte[]> dataset(CairnContext ctx, int recordsPerPartition) {
        return ctx.range(0, 2L * recordsPerPartition, 2).map(S3FaultsTest::record);
    }

    private static byte[] record(long i) {
        byte[] b = new byte[RECORD];
        new SplittableRandom(i).nextBytes(b);
        return b;
    }

    private static Predicate<FaultProxy.Request> partPut() {
        return r -> r.isPutObject() && r.keyContains("/part-00001");
    }

    // ---------------------------------------------------------------- writes

    @Test
    void slowDownWithRetryAfterIsRetriedAndTheCheckpointCommits() {
        CairnContext ctx = context();
        Dataset<byte[]> ds = dataset(ctx, 4);
        proxy.failWith(partPut(), 2, 503, "SlowDown", Map.of("Retry-After", "1"));
        ds.checkpoint(CheckpointMode.EAGER);

        assertCommittedAndWhole(ds, 4);
        List<FaultProxy.Request> puts = proxy.requests(partPut());
        assertEquals(3, puts.size(), "two throttled PUTs, then the one that went through");
        long first = (puts.get(1).nanos() - puts.get(0).nanos()) / 1_000_000;
        long second = (puts.get(2).nanos() - puts.get(1).nanos()) / 1_000_000;
        LOG.info("503 SlowDown with Retry-After: 1 -> retried after {} ms and {} ms", first, second);
        assertTrue(first >= 1000 && second >= 1000, "Retry-After: 1 is honoured: retried after " + first + " and " + second + " ms");
    }

    @Test
    void slowDownThatOutlastsTheRetriesFailsCleanAndARetryCommits() throws IOException {
        CairnContext ctx = context();
        Dataset<byte[]> ds = dataset(ctx, 4);
        proxy.failWith(partPut(), 1000, 503, "SlowDown", Map.of("Retry-After", "1"));
        RuntimeException failure = assertThrows(RuntimeException.class, () -> ds.checkpoint(CheckpointMode.EAGER));
        assertFailedClean(ctx, ds, failure, "SlowDown");

        proxy.reset();
        ds.checkpoint(CheckpointMode.EAGER); // a failed EAGER checkpoint leaves the dataset unmarked: the caller tries again
        assertCommittedAndWhole(ds, 4);
    }

    @Test
    void aConnectionResetInTheMiddleOfAPutIsRetried() {
        CairnContext ctx = context();
        Dataset<byte[]> ds = dataset(ctx, 4);
        proxy.resetMidRequest(partPut(), 1, 128 * 1024);
        ds.checkpoint(CheckpointMode.EAGER);

        assertCommittedAndWhole(ds, 4);
        assertEquals(2, proxy.requests(partPut()).size(), "the reset PUT, then its retry");
    }

    @Test
    void aConnectionResetInTheMiddleOfEveryUploadPartFailsCleanWithoutUploadsLeft() throws IOException {
        CairnContext ctx = context();
        Dataset<byte[]> ds = dataset(ctx, 24);
        proxy.resetMidRequest(FaultProxy.Request::isUploadPart, 1000, 1024 * 1024);
        RuntimeException failure = assertThrows(RuntimeException.class, () -> ds.checkpoint(CheckpointMode.EAGER));
        assertFailedClean(ctx, ds, failure, null);
        assertTrue(proxy.requests(FaultProxy.Request::isUploadPart).size() >= 3, "UploadPart was retried before giving up");
    }

    @Test
    void a500OnUploadPartIsRetried() {
        CairnContext ctx = context();
        Dataset<byte[]> ds = dataset(ctx, 24);
        proxy.failWith(FaultProxy.Request::isUploadPart, 1, 500, "InternalError");
        ds.checkpoint(CheckpointMode.EAGER);

        assertCommittedAndWhole(ds, 24);
        assertEquals(5, proxy.requests(FaultProxy.Request::isUploadPart).size(), "2 parts of 5 + 1 MiB each, one of them sent twice");
    }

    @Test
    void a500OnEveryUploadPartFailsCleanWithoutUploadsLeft() throws IOException {
        CairnContext ctx = context();
        Dataset<byte[]> ds = dataset(ctx, 24);
        proxy.failWith(FaultProxy.Request::isUploadPart, 1000, 500, "InternalError");
        RuntimeException failure = assertThrows(RuntimeException.class, () -> ds.checkpoint(CheckpointMode.EAGER));
        assertFailedClean(ctx, ds, failure, "InternalError");
    }

    @Test
    void a200WithAnErrorBodyOnCompleteMultipartUploadIsRetried() {
        CairnContext ctx = context();
        Dataset<byte[]> ds = dataset(ctx, 24);
        proxy.okWithErrorBody(FaultProxy.Request::isComplete, 1, "InternalError");
        ds.checkpoint(CheckpointMode.EAGER);

        assertCommittedAndWhole(ds, 24);
        assertEquals(3, proxy.requests(FaultProxy.Request::isComplete).size(), "two uploads completed, one of them twice");
    }

    @Test
    void a200WithAnErrorBodyOnEveryCompleteFailsCleanWithoutUploadsLeft() throws IOException {
        CairnContext ctx = context();
        Dataset<byte[]> ds = dataset(ctx, 24);
        proxy.okWithErrorBody(FaultProxy.Request::isComplete, 1000, "InternalError");
        RuntimeException failure = assertThrows(RuntimeException.class, () -> ds.checkpoint(CheckpointMode.EAGER));
        assertFailedClean(ctx, ds, failure, "InternalError");
        assertTrue(proxy.requests(FaultProxy.Request::isComplete).size() >= 3, "the error in a 200 answer is retried like a 500");
    }

    // ---------------------------------------------------------------- reads

    @Test
    void aConnectionCutInTheMiddleOfAGetIsResumedAndEveryCutIsAStoreFailureNeverCorruption() {
        Dataset<byte[]> written = dataset(context(), 4);
        written.checkpoint(CheckpointMode.EAGER);
        URI location = written.checkpointLocation().orElseThrow();
        Predicate<FaultProxy.Request> partGet = r -> r.isGetObject() && r.keyContains("/part-00001");

        proxy.reset();
        proxy.truncateResponse(partGet, 1, 300_000);
        Dataset<byte[]> back = context().readCheckpoint(location);
        assertWhole(back.collect(), 8);
        assertTrue(proxy.requests(partGet).size() >= 2, "the cut GET and the one that resumed it");

        proxy.reset();
        proxy.truncateResponse(partGet, 1000, 300_000);
        Dataset<byte[]> again = context().readCheckpoint(location);
        RuntimeException failure = assertThrows(RuntimeException.class, again::count);
        assertNull(find(failure, CorruptPartException.class), "a cut connection reported as corruption: " + failure);
        CheckpointIOException io = find(failure, CheckpointIOException.class);
        assertNotNull(io, "expected a CheckpointIOException, found " + failure);
        assertEquals("part-00001", io.file(), io.getMessage());
        assertTrue(io.retryable(), io.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    /** The first cause of {@code type} in {@code t}'s chain, or null. */
    private static <E extends Throwable> E find(Throwable t, Class<E> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** The records read are exactly the {@code count} records written. */
    private static void assertWhole(List<byte[]> records, int count) {
        assertEquals(count, records.size());
        for (int i = 0; i < records.size(); i++) {
            assertArrayEquals(record(i), records.get(i), "record " + i);
        }
    }

    private static void assertCommittedAndWhole(Dataset<byte[]> ds, int recordsPerPartition) {
        assertTrue(ds.isCheckpointed(), ds.checkpointState().toString());
        assertWhole(ds.collect(), 2 * recordsPerPartition);
    }

    /**
     * The failed checkpoint left nothing: no object and no multipart upload under the context's
     * directory, the dataset not checkpointed; the failure is the store's (its S3 error code when
     * given), never corruption.
     */
    private void assertFailedClean(CairnContext ctx, Dataset<?> ds, RuntimeException failure, String code) throws IOException {
        LOG.info("Failed as expected: {}", failure.toString());
        assertNull(find(failure, CorruptPartException.class), "a store failure reported as corruption: " + failure);
        S3StorageException s3 = find(failure, S3StorageException.class);
        IOException io = find(failure, IOException.class);
        assertNotNull(io, "expected the store's failure as the cause, found " + failure);
        if (code != null) {
            assertNotNull(s3, "expected an S3StorageException with " + code + ", found " + failure);
            assertEquals(code, s3.errorCode(), s3.getMessage());
        }
        assertFalse(ds.isCheckpointed());
        URI contextDir = URI.create(checkpointDir + "/" + ctx.contextId());
        assertEquals(List.of(), uploadsUnder(direct, contextDir), "multipart uploads left behind");
        assertEquals(List.of(), listRecursively(direct, contextDir), "files left behind by the failed checkpoint");
    }
}
