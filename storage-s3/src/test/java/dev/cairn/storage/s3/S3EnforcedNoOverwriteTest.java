package dev.cairn.storage.s3;

import static dev.cairn.storage.s3.S3CompatibilityTest.random;
import static dev.cairn.storage.s3.S3CompatibilityTest.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.storage.s3.S3StoreCapabilities.Support;
import dev.cairn.testkit.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No-overwrite commits on a store that enforces {@code If-None-Match: *}: S3Proxy behind a
 * {@link FaultProxy} that enforces the header as AWS S3 and MinIO do (S3Proxy 2.6 itself ignores
 * it), found so by the storage's own probe. A single PUT then goes without the HEAD before it;
 * an object already there still refuses to be replaced, with an error naming what was sent and
 * what is there; and a PUT or a completion whose answer was lost, retried by the SDK and refused
 * with {@code 412} because its first attempt landed, is recognised as this writer's own object
 * and committed, not reported as another writer's.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class S3EnforcedNoOverwriteTest {
    private static final String BUCKET = "enforced";
    private static final int MIB = 1 << 20;
    private static S3TestServer server;
    private static FaultProxy proxy;

    private String base;
    private CairnContext context;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.of(S3ProxyServer.builder().buckets(BUCKET).anonymous().start());
        proxy = new FaultProxy(server.endpoint());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        server.close();
    }

    @BeforeEach
    void newBase() {
        base = "s3://" + BUCKET + "/t-" + UUID.randomUUID() + "/";
        proxy.reset();
        proxy.enforceIfNoneMatch(true);
    }

    @AfterEach
    void closeContext() {
        if (context != null) {
            context.close();
        }
    }

    /** Through the proxy, probing the store on the first write (as by default), few retries, 5 MiB parts. */
    private static S3StorageSettings.Builder settings() {
        return server.settings().endpoint(proxy.endpoint()).maxAttempts(3).partSize(5 * MIB);
    }

    private URI file(String name) {
        return URI.create(base + name);
    }

    private byte[] stored(String name) throws IOException {
        return server.rawObject(BUCKET, URI.create(base + name).getPath().substring(1));
    }

    /** The methods of the requests for one key, in order: "HEAD", "PUT", "POST"... */
    private static List<String> methodsFor(String name) {
        return proxy.requests(r -> r.keyContains("/" + name)).stream().map(FaultProxy.Request::method).toList();
    }

    /** A storage whose probe has run (on a file of its own) and found the store enforcing If-None-Match; requests then forgotten. */
    private S3Storage probedStorage() throws IOException {
        S3Storage storage = new S3Storage(settings().build());
        write(storage, file("first"), random(10, 0));
        assertEquals(Support.SUPPORTED, storage.storeCapabilities().orElseThrow().conditionalWrites(), "the probe through the proxy");
        proxy.reset();
        return storage;
    }

    // ---------------------------------------------------------------- requests

    @Test
    void aNoOverwritePutIsOnePutAndOneSizeCheckWithoutAHeadBefore() throws Exception {
        try (S3Storage storage = probedStorage()) {
            for (int i = 0; i < 10; i++) {
                write(storage, file("part-0000" + i), random(1000 + i, i));
            }
            for (int i = 0; i < 10; i++) {
                String name = "part-0000" + i;
                assertEquals(List.of("PUT", "HEAD"), methodsFor(name), name + ": " + proxy.requests());
                assertEquals("*", proxy.requests(r -> r.isPutObject() && r.keyContains("/" + name)).get(0).header("If-None-Match"));
                assertArrayEquals(random(1000 + i, i), stored(name));
            }
            assertEquals(20, proxy.requests().size(), "two requests per file: " + proxy.requests());
        }
    }

    @Test
    void onAStoreThatIgnoresIfNoneMatchTheHeadBeforeThePutStays() throws Exception {
        proxy.enforceIfNoneMatch(false);
        try (S3Storage storage = new S3Storage(settings().build())) {
            write(storage, file("first"), random(10, 0));
            assertEquals(Support.IGNORED, storage.storeCapabilities().orElseThrow().conditionalWrites());
            proxy.reset();
            write(storage, file("part-00000"), random(1000, 1));
            assertEquals(List.of("HEAD", "PUT", "HEAD"), methodsFor("part-00000"), proxy.requests().toString());
            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                    () -> write(storage, file("part-00000"), random(1000, 2)));
            assertTrue(e.getMessage().contains("an object is already there and the commit may not replace it"), e.getMessage());
            assertArrayEquals(random(1000, 1), stored("part-00000"));
        }
    }

    @Test
    void aMultipartCommitStillChecksWithAHeadFirst() throws Exception {
        try (S3Storage storage = probedStorage()) {
            write(storage, file("big"), random(6 * MIB, 3));
            List<String> methods = methodsFor("big");
            // Start, a HEAD before the completion (the probe tried single PUTs only), two parts, completion, size check.
            assertEquals(List.of("HEAD", "HEAD", "POST", "POST", "PUT", "PUT"), methods.stream().sorted().toList(), methods.toString());
            assertTrue(methods.indexOf("HEAD") < methods.lastIndexOf("POST"), "a HEAD before the completion: " + methods);
            assertEquals("HEAD", methods.get(methods.size() - 1), methods.toString());
            assertArrayEquals(random(6 * MIB, 3), stored("big"));
        }
    }

    // ---------------------------------------------------------------- an object already there

    @Test
    void anObjectAlreadyThereIsNotReplacedAndTheErrorSaysWhatWasSentAndWhatIsThere() throws Exception {
        try (S3Storage storage = probedStorage()) {
            write(storage, file("part-00007"), random(1000, 1));
            proxy.reset();

            FileAlreadyExistsException shorter = assertThrows(FileAlreadyExistsException.class,
                    () -> write(storage, file("part-00007"), random(500, 2)));
            String m = shorter.getMessage();
            assertEquals(file("part-00007").toString(), shorter.getFile());
            assertTrue(m.contains("bucket '" + BUCKET + "'") && m.contains("/part-00007'"), m);
            assertTrue(m.contains("an object is already there and the commit may not replace it"), m);
            assertTrue(m.contains("expected the 500 bytes this commit sent") && m.contains("found an object of 1000 bytes"), m);
            assertTrue(m.contains("PreconditionFailed (HTTP 412)"), m);
            assertEquals("PUT", methodsFor("part-00007").get(0), "no HEAD before the PUT: " + proxy.requests());

            // The same size, other bytes: neither the ETag nor the bytes read back are this commit's.
            FileAlreadyExistsException sameSize = assertThrows(FileAlreadyExistsException.class,
                    () -> write(storage, file("part-00007"), random(1000, 3)));
            assertTrue(sameSize.getMessage().contains("found an object of 1000 bytes with other content"), sameSize.getMessage());

            assertArrayEquals(random(1000, 1), stored("part-00007"), "the committed object is untouched");
        }
    }

    @Test
    void aMultipartUploadOverAnObjectAlreadyThereIsAbortedAndFailsAsBefore() throws Exception {
        try (S3Storage storage = probedStorage()) {
            write(storage, file("big"), random(1000, 1));
            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                    () -> write(storage, file("big"), random(6 * MIB, 4)));
            assertTrue(e.getMessage().contains("an object is already there and the commit may not replace it"), e.getMessage());
            assertArrayEquals(random(1000, 1), stored("big"));
            assertEquals(List.of(), S3CheckpointTest.uploadsUnder(storage, URI.create(base)), "the upload is aborted");
        }
    }

    // ---------------------------------------------------------------- a retried request that finds its own object

    @Test
    void aPutWhoseAnswerWasLostIsCommittedWhenItsRetryFindsItsOwnObject() throws Exception {
        try (S3Storage storage = probedStorage()) {
            Predicate<FaultProxy.Request> put = r -> r.isPutObject() && r.keyContains("/part-00003");
            proxy.loseResponse(put, 1);
            write(storage, file("part-00003"), random(70_000, 5));

            assertEquals(2, proxy.requests(put).size(), "the PUT whose answer was lost, then the SDK's retry: " + proxy.requests());
            assertArrayEquals(random(70_000, 5), stored("part-00003"));
            // And it is still protected: another commit of the key is refused.
            assertThrows(FileAlreadyExistsException.class, () -> write(storage, file("part-00003"), random(70_000, 6)));
            assertArrayEquals(random(70_000, 5), stored("part-00003"));
        }
    }

    @Test
    void aCompletionWhoseAnswerWasLostIsCommittedWhenItsRetryFindsItsOwnObject() throws Exception {
        try (S3Storage storage = probedStorage()) {
            Predicate<FaultProxy.Request> complete = r -> r.isComplete() && r.keyContains("/big");
            proxy.loseResponse(complete, 1);
            write(storage, file("big"), random(11 * MIB + 17, 7));

            assertEquals(2, proxy.requests(complete).size(), "the completion whose answer was lost, then the SDK's retry");
            assertArrayEquals(random(11 * MIB + 17, 7), stored("big"));
            assertEquals(List.of(), S3CheckpointTest.uploadsUnder(storage, URI.create(base)));
        }
    }

    @Test
    void aCheckpointWhosePartAndManifestAnswersWereLostCommitsAndReadsBackWhole() {
        Map<String, String> options = new HashMap<>(server.options());
        options.put(S3StorageSettings.ENDPOINT, proxy.endpoint().toString());
        options.put(S3StorageSettings.MAX_ATTEMPTS, "3");
        URI dir = URI.create(base + "ckpt");
        context = CairnContext.builder().appName("enforced").parallelism(2).checkpointDir(dir).options(options).build();
        proxy.loseResponse(r -> r.isPutObject() && r.keyContains("/part-00002"), 1);
        proxy.loseResponse(r -> r.isPutObject() && r.keyContains("/_manifest.json"), 1);

        Dataset<Long> ds = context.range(0, 4_000, 4).map(x -> x * 3);
        ds.checkpoint(CheckpointMode.EAGER);

        assertTrue(ds.isCheckpointed());
        List<Long> expected = LongStream.range(0, 4_000).map(x -> x * 3).boxed().toList();
        assertEquals(expected, ds.collect());
        assertEquals(2, proxy.requests(r -> r.isPutObject() && r.keyContains("/part-00002")).size(), proxy.requests().toString());
        assertEquals(2, proxy.requests(r -> r.isPutObject() && r.keyContains("/_manifest.json")).size());
        try (CairnContext reader = CairnContext.builder().appName("reader").options(options).build()) {
            assertEquals(expected, reader.readCheckpoint(ds.checkpointLocation().orElseThrow()).collect());
        }
    }
}
