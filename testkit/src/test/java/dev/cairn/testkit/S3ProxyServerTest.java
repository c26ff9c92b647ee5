package dev.cairn.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.io.Payloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The test kit's server on its own: what its stores hide and for how long, the faults it injects,
 * and the options it hands out. One server per behaviour, started once for the class; an
 * anonymous one so that plain HTTP requests reach it without signing.
 */
class S3ProxyServerTest {
    private static final String BUCKET = "testkit";
    private static final Duration LONG = Duration.ofHours(1);
    private static S3ProxyServer lagging;
    private static S3ProxyServer hidden;
    private static S3ProxyServer open;

    @BeforeAll
    static void start() throws Exception {
        lagging = S3ProxyServer.builder().buckets(BUCKET).listingDelay(LONG, key -> key.startsWith("lag/")).start();
        hidden = S3ProxyServer.builder().buckets(BUCKET).hide(key -> key.endsWith("/secret"), LONG).start();
        open = S3ProxyServer.builder().buckets(BUCKET).credentials("k", "s").anonymous().start();
    }

    @AfterAll
    static void stop() {
        for (S3ProxyServer s : new S3ProxyServer[] {lagging, hidden, open}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static void put(BlobStore store, String key, String content) {
        store.putBlob(BUCKET, store.blobBuilder(key).payload(content).build());
    }

    private static List<String> listed(BlobStore store, String prefix) {
        List<String> names = new ArrayList<>();
        for (StorageMetadata m : store.list(BUCKET, ListContainerOptions.Builder.prefix(prefix).recursive())) {
            names.add(m.getName());
        }
        return names;
    }

    @Test
    void aLaggingObjectIsReadableAtOnceButNotListedWithinItsDelayWhileOthersListAtOnce() throws Exception {
        BlobStore store = lagging.blobStore();
        put(store, "lag/a", "a");
        put(store, "other/b", "b");
        assertEquals(List.of(), listed(store, "lag/a"));
        assertArrayEquals("a".getBytes(StandardCharsets.UTF_8), lagging.rawObject(BUCKET, "lag/a"));
        assertEquals(List.of("other/b"), listed(store, "other/"));
    }

    @Test
    void copiesAndCompletedMultipartUploadsAreWritesToo() {
        BlobStore store = lagging.blobStore();
        put(store, "src", "s");
        store.copyBlob(BUCKET, "src", BUCKET, "lag/copy", CopyOptions.NONE);
        MultipartUpload mpu = store.initiateMultipartUpload(BUCKET, store.blobBuilder("lag/multi").build().getMetadata(), PutOptions.NONE);
        MultipartPart part = store.uploadMultipartPart(mpu, 1, Payloads.newByteArrayPayload(new byte[] {1, 2, 3}));
        store.completeMultipartUpload(mpu, List.of(part));
        assertEquals(List.of(), listed(store, "lag/copy"));
        assertEquals(List.of(), listed(store, "lag/multi"));
        assertNotNull(store.getBlob(BUCKET, "lag/copy"));
        assertNotNull(store.getBlob(BUCKET, "lag/multi"));
    }

    @Test
    void aHiddenKeyIsInvisibleToReadsAndListingsWhileOthersShow() {
        BlobStore store = hidden.blobStore();
        put(store, "d/secret", "x");
        put(store, "d/plain", "y");
        assertNull(store.getBlob(BUCKET, "d/secret"));
        assertNull(store.blobMetadata(BUCKET, "d/secret"));
        assertEquals(List.of("d/plain"), listed(store, "d/"));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> hidden.rawObject(BUCKET, "d/secret"));
    }

    @Test
    void readsOfChosenKeysFailUntilCleared() throws Exception {
        put(open.blobStore(), "f/one", "1");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(URI.create(open.endpoint() + "/" + BUCKET + "/f/one")).build();
        assertEquals(200, http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode());
        open.failReads("f/one"::equals);
        try {
            assertEquals(400, http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode());
        } finally {
            open.failReads(k -> false);
        }
        assertEquals("1", http.send(get, HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void armedUploadFailuresFailThatManyUploadsAndCountThem() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest put = HttpRequest.newBuilder(URI.create(open.endpoint() + "/" + BUCKET + "/u/x"))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build();
        UploadFailures failures = open.failUploads(key -> key.startsWith("u/"), 1);
        assertEquals(400, http.send(put, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(200, http.send(put, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals(1, failures.served());
    }

    @Test
    void aFrontThatEnforcesIfNoneMatchRefusesAConditionalPutOverAnExistingObjectAndCountsNoHeadOfItsOwn() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (LatencyFront enforcing = new LatencyFront(open.endpoint(), 0, true); LatencyFront passing = new LatencyFront(open.endpoint(), 0)) {
            URI key = URI.create(enforcing.endpoint() + "/" + BUCKET + "/inm/x");
            HttpRequest conditional = HttpRequest.newBuilder(key).header("If-None-Match", "*")
                    .PUT(HttpRequest.BodyPublishers.ofString("first")).build();
            assertEquals(200, http.send(conditional, HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(key).header("If-None-Match", "*")
                    .PUT(HttpRequest.BodyPublishers.ofString("second")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(412, refused.statusCode());
            assertTrue(refused.body().contains("<Code>PreconditionFailed</Code>"), refused.body());
            assertEquals("first", new String(open.rawObject(BUCKET, "inm/x"), StandardCharsets.UTF_8));
            assertEquals(0L, enforcing.counts().get(LatencyFront.Kind.HEAD), "the front's own HEADs are the store's business");
            assertEquals(2L, enforcing.counts().get(LatencyFront.Kind.PUT));
            // An unconditional PUT, and any PUT through a front that passes the header on, replace the object (S3Proxy ignores it).
            assertEquals(200, http.send(HttpRequest.newBuilder(key).PUT(HttpRequest.BodyPublishers.ofString("third")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(passing.endpoint() + "/" + BUCKET + "/inm/x"))
                    .header("If-None-Match", "*").PUT(HttpRequest.BodyPublishers.ofString("fourth")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals("fourth", new String(open.rawObject(BUCKET, "inm/x"), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theOptionsNameTheServerAndItsCredentials() {
        Map<String, String> s3 = open.s3Options("cairn.");
        assertEquals(open.endpoint().toString(), s3.get("cairn.s3.endpoint"));
        assertEquals("k", s3.get("cairn.s3.access-key"));
        assertEquals("s", s3.get("cairn.s3.secret-key"));
        assertFalse(s3.containsKey("cairn.s3.ca-bundle"), "no CA bundle over http: " + s3);
        Map<String, String> s3a = open.s3aOptions("spark.hadoop.");
        assertEquals(open.endpoint().toString(), s3a.get("spark.hadoop.fs.s3a.endpoint"));
        assertEquals("false", s3a.get("spark.hadoop.fs.s3a.connection.ssl.enabled"));
    }
}
