package dev.cairn.storage.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.StorageOutput;
import dev.cairn.testkit.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * What the storage TCK cannot see: how objects are uploaded (one PUT or multipart, with bounded
 * memory, aborted when not committed), which headers go out (If-None-Match, checksums), the
 * stored-size check after a commit, how errors are retried or reported, reads that resume, and
 * S3's own listing quirks (pagination, directory markers). Fault tests run through a {@link FaultProxy} in front of a second,
 * unauthenticated S3Proxy.
 */
class S3StorageTest {
    private static final String BUCKET = "unit";
    private static final int MIB = 1 << 20;
    private static S3TestServer server;
    private static S3TestServer open;
    private static FaultProxy proxy;

    private String base;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.start(BUCKET);
        open = S3TestServer.of(S3ProxyServer.builder().buckets(BUCKET).anonymous().start());
        proxy = new FaultProxy(open.endpoint());
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        open.close();
        server.close();
    }

    @BeforeEach
    void newBase() {
        base = "s3://" + BUCKET + "/t-" + UUID.randomUUID() + "/";
        proxy.reset();
    }

    /** No probe: these tests count the requests each operation sends (the probe has its own tests in {@link S3CompatibilityTest}). */
    private static S3StorageSettings.Builder settings() {
        return server.settings().checksum(S3Checksum.MD5).probe(false);
    }

    /** Settings that go through the fault proxy; few, fast retries; no probe. */
    private static S3StorageSettings.Builder proxied() {
        return open.settings().endpoint(proxy.endpoint()).checksum(S3Checksum.MD5).maxAttempts(3).probe(false);
    }

    private URI file(String name) {
        return URI.create(base + name);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static byte[] read(S3Storage storage, URI file) throws IOException {
        try (InputStream in = storage.open(file)) {
            return in.readAllBytes();
        }
    }

    private static void write(S3Storage storage, URI file, byte[] data, boolean overwrite) throws IOException {
        try (StorageOutput out = storage.create(file, overwrite)) {
            out.write(data);
            out.commit();
        }
    }

    // ---------------------------------------------------------------- uploads

    @Test
    void aLargeFileStreamsAsAMultipartUploadThatAppearsOnlyOnCommitWithBoundedMemory() throws Exception {
        try (S3Storage storage = new S3Storage(settings().partSize(5 * MIB).uploadConcurrency(3).build())) {
            URI f = file("big");
            byte[] data = random(23 * MIB + 17, 1);
            S3Output out = (S3Output) storage.create(f, false);
            for (int off = 0; off < data.length; off += 100_000) {
                out.write(data, off, Math.min(100_000, data.length - off));
            }
            assertEquals(List.of("t-" + base.split("/t-")[1] + "big"), S3CheckpointTest.uploadsUnder(storage, URI.create(base)),
                    "one multipart upload in progress");
            assertThrows(NoSuchFileException.class, () -> storage.stat(f), "invisible before the commit");

            out.commit();
            out.close();

            assertArrayEquals(data, read(storage, f));
            assertEquals(List.of(), S3CheckpointTest.uploadsUnder(storage, URI.create(base)));
            assertTrue(out.peakBufferedBytes() <= 3L * 5 * MIB, "held " + out.peakBufferedBytes() + " bytes, more than part size × concurrency");
            assertTrue(out.peakBufferedBytes() > 5 * MIB, "uploads were in flight while writing: " + out.peakBufferedBytes());
        }
    }

    @Test
    void withConcurrencyOneAWriterHoldsOnePartAndUploadsInItsOwnThread() throws Exception {
        try (S3Storage storage = new S3Storage(settings().partSize(5 * MIB).uploadConcurrency(1).build())) {
            byte[] data = random(11 * MIB, 2);
            S3Output out = (S3Output) storage.create(file("serial"), true);
            out.write(data);
            out.commit();
            assertEquals(5L * MIB, out.peakBufferedBytes());
            assertArrayEquals(data, read(storage, file("serial")));
        }
    }

    @Test
    void closingWithoutCommitAbortsTheMultipartUpload() throws Exception {
        try (S3Storage storage = new S3Storage(settings().partSize(5 * MIB).build())) {
            StorageOutput out = storage.create(file("abandoned"), false);
            out.write(random(12 * MIB, 3));
            assertEquals(1, S3CheckpointTest.uploadsUnder(storage, URI.create(base)).size());

            out.close();

            assertEquals(List.of(), S3CheckpointTest.uploadsUnder(storage, URI.create(base)), "orphaned upload");
            assertThrows(NoSuchFileException.class, () -> storage.stat(file("abandoned")));
            assertThrows(IOException.class, out::commit);
        }
    }

    @Test
    void aSmallFileIsOnePutAndANoOverwriteCommitSendsIfNoneMatch() throws Exception {
        try (S3Storage storage = new S3Storage(proxied().build())) {
            write(storage, file("small"), random(1000, 4), false);
            List<FaultProxy.Request> puts = proxy.requests(FaultProxy.Request::isPutObject);
            assertEquals(1, puts.size(), proxy.requests().toString());
            assertEquals("*", puts.get(0).header("If-None-Match"));
            assertTrue(puts.get(0).header("Content-MD5") != null, "checksum=md5 sends Content-MD5");
            assertTrue(proxy.requests(r -> r.hasQueryParameter("uploads")).isEmpty(), "no multipart upload for a small file");

            proxy.reset();
            write(storage, file("small"), random(10, 5), true);
            assertNull(proxy.requests(FaultProxy.Request::isPutObject).get(0).header("If-None-Match"), "overwrite is unconditional");
        }
        try (S3Storage storage = new S3Storage(proxied().conditionalWrites(false).checksum(S3Checksum.NONE).build())) {
            proxy.reset();
            write(storage, file("plain"), random(10, 6), false);
            FaultProxy.Request put = proxy.requests(FaultProxy.Request::isPutObject).get(0);
            assertNull(put.header("If-None-Match"));
            assertNull(put.header("Content-MD5"));
            assertNull(put.header("x-amz-checksum-crc32c"));
        }
    }

    @Test
    void aStoreThatEnforcesIfNoneMatchMakesTheLosingCommitFailWithFileAlreadyExists() throws Exception {
        try (S3Storage storage = new S3Storage(proxied().partSize(5 * MIB).build())) {
            // The HEAD finds nothing (the racing writer has not finished yet); the store then refuses the PUT.
            proxy.failWith(r -> r.isPutObject() && "*".equals(r.header("If-None-Match")), 1, 412, "PreconditionFailed");
            FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                    () -> write(storage, file("_manifest.json"), random(100, 7), false));
            assertTrue(e.getMessage().contains("PreconditionFailed"), e.getMessage());

            proxy.failWith(r -> r.isComplete() && "*".equals(r.header("If-None-Match")), 1, 412, "PreconditionFailed");
            assertThrows(FileAlreadyExistsException.class, () -> write(storage, file("big-manifest"), random(6 * MIB, 8), false));
            assertEquals(List.of(), S3CheckpointTest.uploadsUnder(storage, URI.create(base)), "the losing upload is aborted");
        }
    }

    @Test
    void aConflictingConditionalWriteInProgressIsRetried() throws Exception {
        try (S3Storage storage = new S3Storage(proxied().build())) {
            proxy.failWith(FaultProxy.Request::isPutObject, 1, 409, "ConditionalRequestConflict");
            write(storage, file("contended"), random(100, 9), false);
            assertEquals(2, proxy.requests(FaultProxy.Request::isPutObject).size());
        }
    }

    // ---------------------------------------------------------------- retries and errors

    @Test
    void throttlingIsRetriedWithBackoffUntilTheStoreAccepts() throws Exception {
        try (S3Storage storage = new S3Storage(proxied().maxAttempts(4).build())) {
            proxy.failWith(FaultProxy.Request::isPutObject, 2, 503, "SlowDown");
            write(storage, file("throttled"), random(5000, 10), true);
            assertEquals(3, proxy.requests(FaultProxy.Request::isPutObject).size());
            assertArrayEquals(random(5000, 10), read(storage, file("throttled")));
        }
    }

    @Test
    void throttlingThatOutlastsTheRetriesFailsNamingBucketKeyAndCode() throws Exception {
        try (S3Storage storage = new S3Storage(proxied().maxAttempts(2).build())) {
            proxy.failWith(FaultProxy.Request::isPutObject, 5, 503, "SlowDown");
            S3StorageException e = assertThrows(S3StorageException.class, () -> write(storage, file("part-00007"), random(10, 11), true));
            assertEquals(2, proxy.requests(FaultProxy.Request::isPutObject).size());
            assertEquals("SlowDown", e.errorCode());
            assertEquals(503, e.statusCode());
            assertEquals(BUCKET, e.bucket());
            assertTrue(e.key().endsWith("/part-00007"), e.key());
            assertTrue(e.getMessage().startsWith("Cannot commit " + file("part-00007") + ": bucket '" + BUCKET + "', key '"), e.getMessage());
            assertTrue(e.getMessage().contains("SlowDown") && e.getMessage().contains(S3StorageSettings.MAX_ATTEMPTS), e.getMessage());
        }
    }

    @Test
    void aDroppedConnectionIsRetried() throws Exception {
        try (S3Storage storage = new S3Storage(proxied().build())) {
            write(storage, file("flaky"), random(2000, 12), true);
            proxy.reset();
            proxy.drop(FaultProxy.Request::isGetObject, 1);
            assertArrayEquals(random(2000, 12), read(storage, file("flaky")));
            assertEquals(2, proxy.requests(FaultProxy.Request::isGetObject).size());
        }
    }

    @Test
    void accessDeniedFailsAtOnceWithoutRetries() throws Exception {
        try (S3Storage storage = new S3Storage(proxied().maxAttempts(5).build())) {
            write(storage, file("secret"), random(10, 13), true);
            proxy.reset();
            proxy.failWith(FaultProxy.Request::isGetObject, 5, 403, "AccessDenied");
            // An AccessDeniedException: an I/O error about permissions, which core never takes for damaged data.
            S3AccessDeniedException e = assertThrows(S3AccessDeniedException.class, () -> storage.open(file("secret")));
            assertInstanceOf(java.nio.file.AccessDeniedException.class, e);
            assertEquals(1, proxy.requests(FaultProxy.Request::isGetObject).size(), "403 must not be retried");
            assertEquals("AccessDenied", e.errorCode());
            assertEquals(403, e.statusCode());
            assertTrue(e.getMessage().startsWith("Cannot open s3://" + BUCKET + "/"), e.getMessage());
            assertTrue(e.getMessage().contains("bucket '" + BUCKET + "'") && e.getMessage().contains("/secret'"), e.getMessage());
        }
    }

    @Test
    void aWrongSecretKeyIsReportedAsSuch() throws Exception {
        try (S3Storage storage = new S3Storage(settings().credentials(server.accessKey(), "wrong").build())) {
            S3AccessDeniedException e = assertThrows(S3AccessDeniedException.class, () -> storage.list(URI.create(base)));
            assertEquals(403, e.statusCode());
            assertEquals("SignatureDoesNotMatch", e.errorCode());
            assertTrue(e.getMessage().contains(S3StorageSettings.SECRET_KEY), e.getMessage());
        }
    }

    @Test
    void aMissingBucketIsAPermanentErrorNeverAMissingFile() throws Exception {
        try (S3Storage storage = new S3Storage(settings().build())) {
            URI f = URI.create("s3://no-such-bucket/ckpt/part-00000");
            for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> storage.open(f), () -> storage.stat(f), () -> storage.list(URI.create("s3://no-such-bucket/ckpt")),
                    () -> write(storage, f, new byte[10], true))) {
                S3StorageException e = assertThrows(S3StorageException.class, call);
                assertEquals("NoSuchBucket", e.errorCode(), e.getMessage());
                assertEquals("no-such-bucket", e.bucket());
                assertTrue(e.getMessage().contains("bucket 'no-such-bucket'") && e.getMessage().contains("create bucket"), e.getMessage());
            }
        }
    }

    @Test
    void aByteDamagedOnTheWayIsRefusedByTheStoreThroughContentMd5() throws Exception {
        try (S3Storage storage = new S3Storage(proxied().maxAttempts(1).build())) {
            proxy.damageRequest(FaultProxy.Request::isPutObject);
            S3StorageException e = assertThrows(S3StorageException.class, () -> write(storage, file("damaged"), random(50_000, 14), true));
            assertEquals("BadDigest", e.errorCode(), e.getMessage());
            assertThrows(NoSuchFileException.class, () -> storage.stat(file("damaged")));
        }
    }

    @Test
    void checksumAutoFallsBackToMd5OnAStoreThatRejectsCrc32cAndExplicitCrc32cSaysWhy() throws Exception {
        // Without the store probe, auto learns from the first refusal.
        try (S3Storage storage = new S3Storage(open.settings().endpoint(proxy.endpoint()).checksum(S3Checksum.AUTO).probe(false).build())) {
            write(storage, file("a"), random(100, 15), true);
            write(storage, file("b"), random(100, 16), true);
            List<FaultProxy.Request> puts = proxy.requests(FaultProxy.Request::isPutObject);
            assertEquals(3, puts.size(), "one probe with CRC32C, then MD5 only: " + puts);
            assertTrue(puts.get(0).header("x-amz-checksum-crc32c") != null);
            assertTrue(puts.get(1).header("Content-MD5") != null && puts.get(2).header("Content-MD5") != null);
            assertArrayEquals(random(100, 16), read(storage, file("b")));
        }
        try (S3Storage storage = new S3Storage(settings().checksum(S3Checksum.AUTO).partSize(5 * MIB).build())) {
            byte[] big = random(7 * MIB, 17); // the probe happens on CreateMultipartUpload here
            write(storage, file("big"), big, true);
            assertArrayEquals(big, read(storage, file("big")));
        }
        try (S3Storage storage = new S3Storage(settings().checksum(S3Checksum.CRC32C).build())) {
            S3StorageException e = assertThrows(S3StorageException.class, () -> write(storage, file("c"), random(100, 18), true));
            assertEquals("NotImplemented", e.errorCode());
            assertTrue(e.getMessage().contains(S3StorageSettings.CHECKSUM + "=md5"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- the stored size after a commit

    /** The requests for the object at {@code file}, as the proxy sees them. */
    private static Predicate<FaultProxy.Request> requestsOf(URI file) {
        String path = "/" + BUCKET + "/" + file.getPath().substring(1);
        return r -> r.rawPath().equals(path);
    }

    /**
     * How many times the commit looked at the object's size: the HEADs of it after its last PUT,
     * up to the DELETE of a refused object (a later stat is a HEAD too).
     */
    private static int looksAfterThePut(URI file) {
        List<FaultProxy.Request> ofFile = proxy.requests(requestsOf(file));
        int lastPut = -1;
        for (int i = 0; i < ofFile.size(); i++) {
            lastPut = ofFile.get(i).isPutObject() ? i : lastPut;
        }
        assertTrue(lastPut >= 0, "no PUT of " + file + ": " + ofFile);
        int looks = 0;
        for (FaultProxy.Request r : ofFile.subList(lastPut + 1, ofFile.size())) {
            if (r.method().equals("DELETE")) {
                break;
            }
            looks += r.isHeadObject() ? 1 : 0;
        }
        return looks;
    }

    /**
     * Commits 70,000 bytes to {@code file} while every HEAD of it shows {@code difference} bytes
     * more than are stored: the commit fails naming the file and both sizes, and leaves no object.
     */
    private static S3StoredSizeException commitFailsWithTheSizeOffBy(URI file, long difference) throws IOException {
        try (S3Storage storage = new S3Storage(proxied().build())) {
            proxy.misstateSize(requestsOf(file), Integer.MAX_VALUE, difference);
            S3StoredSizeException e = assertThrows(S3StoredSizeException.class, () -> write(storage, file, random(70_000, 61), false));

            assertEquals(70_000, e.sentBytes());
            assertEquals(70_000 + difference, e.storedBytes());
            assertTrue(e.getMessage().startsWith("Cannot commit " + file + ": bucket '" + BUCKET + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("the 70000 bytes sent, found " + (70_000 + difference) + " bytes stored"),
                    e.getMessage());
            assertThrows(NoSuchFileException.class, () -> storage.stat(file), "the object is removed again");
            return e;
        }
    }

    @ParameterizedTest(name = "short for {0} look(s)")
    @ValueSource(ints = {1, 2})
    void aStoredSizeThatIsShortForAMomentIsLookedAtAgainAndTheCommitSucceeds(int shortLooks) throws Exception {
        // A store that answers the PUT before its bytes are all on its disk (s3rver 3.7) shows fewer for a moment.
        try (S3Storage storage = new S3Storage(proxied().build())) {
            URI f = file("part-00000");
            proxy.misstateSize(requestsOf(f), shortLooks, -1000);
            write(storage, f, random(70_000, 60), false);

            assertEquals(shortLooks + 1, looksAfterThePut(f), "one look per short size, then the right one");
            assertArrayEquals(random(70_000, 60), read(storage, f));
        }
    }

    @Test
    void aStoredSizeThatStaysShortFailsTheCommitAfterAFewLooks() throws Exception {
        URI f = file("part-00001");
        S3StoredSizeException e = commitFailsWithTheSizeOffBy(f, -1000);

        assertTrue(e.getMessage().contains("kept less than was sent"), e.getMessage());
        // The first look and five more (S3Storage.SHORT_SIZE_WAITS_MS, 750 ms in all), then no more.
        assertEquals(6, looksAfterThePut(f), "looked at again a few times before giving up");
    }

    @Test
    void aStoredSizeLongerThanSentFailsTheCommitAtTheFirstLook() throws Exception {
        // More bytes than sent never become right by waiting (a store that kept chunk framing as data).
        URI f = file("part-00002");
        S3StoredSizeException e = commitFailsWithTheSizeOffBy(f, 1);

        assertTrue(e.getMessage().contains("altered the body"), e.getMessage());
        assertEquals(1, looksAfterThePut(f), "no second look");
    }

    // ---------------------------------------------------------------- reads

    @Test
    void aReadCutShortResumesWhereItBrokeOffForTheSameObject() throws Exception {
        try (S3Storage storage = new S3Storage(proxied().build())) {
            byte[] data = random(300_000, 19);
            write(storage, file("resumed"), data, true);
            proxy.reset();
            proxy.truncateResponse(FaultProxy.Request::isGetObject, 100_000);

            assertArrayEquals(data, read(storage, file("resumed")));

            List<FaultProxy.Request> gets = proxy.requests(FaultProxy.Request::isGetObject);
            assertEquals(2, gets.size(), gets.toString());
            assertTrue(gets.get(1).header("Range").startsWith("bytes="), gets.get(1).toString());
            assertTrue(gets.get(1).header("If-Match") != null, "a resumed read must not splice another version in");
        }
    }

    @Test
    void closingAStreamEarlyDoesNotDownloadTheRest() throws Exception {
        try (S3Storage storage = new S3Storage(settings().build())) {
            write(storage, file("early"), random(4 * MIB, 20), true);
            try (InputStream in = storage.open(file("early"))) {
                assertEquals(1000, in.readNBytes(1000).length);
            }
            assertArrayEquals(random(4 * MIB, 20), read(storage, file("early")), "the storage still works after an abort");
        }
    }

    // ---------------------------------------------------------------- listings and deletes

    @Test
    void listingsAndDeletesFollowContinuationTokensAcrossPages() throws Exception {
        try (S3Storage storage = new S3Storage(settings().listPageSize(7).build())) {
            TreeSet<String> expected = new TreeSet<>();
            for (int i = 0; i < 30; i++) {
                String name = String.format("part-%05d", i);
                expected.add(name);
                write(storage, file("d/" + name), name.getBytes(UTF_8), true);
            }
            for (String dir : List.of("x", "y", "z")) {
                write(storage, file("d/" + dir + "/inner"), new byte[1], true);
                expected.add(dir);
            }
            List<FileStatus> listing = storage.list(file("d"));
            assertEquals(expected, listing.stream().map(FileStatus::name).collect(Collectors.toCollection(TreeSet::new)));
            assertEquals(33, listing.size(), "no entry twice across pages");

            storage.delete(file("d"));
            assertEquals(List.of(), storage.list(file("d")));
            assertEquals(List.of(), storage.list(URI.create(base)));
        }
    }

    @Test
    void aDirectoryMarkerIsNotItsOwnChildAndADirectoryStatsAsOne() throws Exception {
        try (S3Storage storage = new S3Storage(settings().build())) {
            String prefix = base.substring(("s3://" + BUCKET + "/").length());
            // What consoles create for an empty "folder": a zero-byte object whose key ends in a slash.
            storage.client().putObject(PutObjectRequest.builder().bucket(BUCKET).key(prefix + "folder/").build(), RequestBody.empty());
            write(storage, file("folder/file"), new byte[3], true);

            List<FileStatus> listing = storage.list(file("folder"));
            assertEquals(List.of("file"), listing.stream().map(FileStatus::name).toList());
            FileStatus dir = storage.stat(file("folder"));
            assertTrue(dir.directory());
            assertEquals("folder", dir.name());
            assertFalse(storage.stat(file("folder/file")).directory());
        }
    }

    @Test
    void theBucketRootIsNeverDeletedAndBadUrisAreRefusedWithAHint() throws Exception {
        try (S3Storage storage = new S3Storage(settings().build())) {
            IOException root = assertThrows(IOException.class, () -> storage.delete(URI.create("s3://" + BUCKET + "/")));
            assertTrue(root.getMessage().contains("bucket root"), root.getMessage());
            IOException noBucket = assertThrows(IOException.class, () -> storage.list(URI.create("s3:///ckpt")));
            assertTrue(noBucket.getMessage().contains("expected a bucket name"), noBucket.getMessage());
            IOException query = assertThrows(IOException.class, () -> storage.open(URI.create("s3://" + BUCKET + "/a?b")));
            assertTrue(query.getMessage().contains("%3F"), query.getMessage());
            IOException scheme = assertThrows(IOException.class, () -> storage.open(URI.create("s3a://" + BUCKET + "/a")));
            assertTrue(scheme.getMessage().contains("s3://"), scheme.getMessage());
        }
    }

    @Test
    void aClosedStorageRefusesWork() throws Exception {
        S3Storage storage = new S3Storage(settings().build());
        storage.close();
        storage.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> storage.list(URI.create(base)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertInstanceOf(S3Storage.class, storage);
    }

    @Test
    void uploadsToACustomEndpointArePlainSignedBodiesAndChunkedEncodingIsAnExplicitChoice() throws Exception {
        // Default options for a custom endpoint over http: the SDK must sign the whole body
        // (x-amz-content-sha256 = its SHA-256) instead of sending aws-chunked frames, and add no
        // checksum trailer, whatever the SDK version's defaults are.
        try (S3Storage storage = new S3Storage(proxied().partSize(5 * MIB).build())) {
            write(storage, file("small"), random(1000, 40), true);
            write(storage, file("large"), random(5 * MIB + 10, 41), true);
            List<FaultProxy.Request> uploads = proxy.requests(r -> r.isPutObject() || r.isUploadPart());
            assertEquals(3, uploads.size(), uploads.toString());
            for (FaultProxy.Request r : uploads) {
                String encoding = String.valueOf(r.header("Content-Encoding"));
                assertFalse(encoding.contains("aws-chunked"), "plain body expected: " + r);
                assertTrue(r.header("x-amz-content-sha256").matches("[0-9a-f]{64}"), "whole-body signature expected: " + r);
                assertNull(r.header("x-amz-trailer"), "no checksum trailer expected: " + r);
                assertNull(r.header("x-amz-decoded-content-length"), "not aws-chunked: " + r);
            }
            // DeleteObjects, whose API demands a checksum, carries Content-MD5 as before SDK 2.30; S3Proxy
            // refuses the CRC32 and x-amz-sdk-checksum-algorithm that newer SDKs add (501), and the
            // storage then deletes key by key: everything is gone either way.
            storage.delete(URI.create(base));
            FaultProxy.Request delete = proxy.requests(r -> r.method().equals("POST") && r.hasQueryParameter("delete")).get(0);
            assertTrue(delete.header("Content-MD5") != null, delete.toString());
            assertTrue(storage.list(URI.create(base)).isEmpty());
            assertEquals(3, proxy.requests(r -> r.method().equals("DELETE")).size(), "one DELETE per key after the 501");
        }
        proxy.reset();
        // Turned on, the same writes go aws-chunked: the option is what decides, not the SDK.
        try (S3Storage storage = new S3Storage(proxied().chunkedEncoding(true).checkStoredSize(false).build())) {
            write(storage, file("chunked"), random(1000, 42), true);
            FaultProxy.Request put = proxy.requests(FaultProxy.Request::isPutObject).get(0);
            assertTrue(put.header("x-amz-content-sha256").startsWith("STREAMING-"), put.toString());
        }
    }

    @Test
    void closeWaitsForARequestInFlightInsteadOfClosingThePoolUnderIt() throws Exception {
        S3Storage storage = new S3Storage(proxied().build());
        for (int i = 0; i < 3; i++) {
            write(storage, file("dir/f" + i), random(100, 50 + i), true);
        }
        proxy.reset();
        proxy.delay(r -> r.method().equals("POST") && r.hasQueryParameter("delete"), 1500);
        java.util.concurrent.CompletableFuture<Void> delete = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                storage.delete(file("dir"));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (proxy.requests(r -> r.method().equals("POST")).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the delete never reached the store");
            Thread.sleep(5);
        }
        storage.close(); // the DeleteObjects request is being held by the proxy right now
        delete.get(30, java.util.concurrent.TimeUnit.SECONDS); // completed normally: no "Connection pool shut down"
        try (S3Storage check = new S3Storage(proxied().build())) {
            assertTrue(check.list(file("dir")).isEmpty(), "every object deleted");
        }
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> storage.delete(file("dir")));
        assertTrue(late.getMessage().contains("closed"), late.getMessage());
    }
}
