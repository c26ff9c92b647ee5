package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.s3.S3StoreCapabilities.Support;
import dev.cairn.testkit.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What S3-compatible stores actually keep, read back past their S3 protocol: S3Proxy (in this
 * JVM) and s3rver (Node.js, another process), each over http and https, with the options a user
 * of that store sets and every other option at its default. s3rver stores request bodies as they
 * arrive, so any {@code aws-chunked} framing the client sent would show up in its files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3CompatibilityTest {
    private static final String BUCKET = "compat";
    private static final int MIB = 1 << 20;
    private final Map<String, S3TestServer> servers = new java.util.LinkedHashMap<>();

    @BeforeAll
    void startServers() throws Exception {
        for (boolean https : new boolean[] {false, true}) {
            S3TestServer proxy = S3TestServer.of(S3ProxyServer.builder().buckets(BUCKET).https(https).start());
            servers.put(proxy.name(), proxy);
            S3TestServer s3rver = S3rverServer.start(https, BUCKET);
            servers.put(s3rver.name(), s3rver);
        }
    }

    @AfterAll
    void stopServers() {
        servers.values().forEach(S3TestServer::close);
    }

    Stream<String> serverNames() {
        return Stream.of("S3Proxy over http", "S3Proxy over https", "s3rver over http", "s3rver over https");
    }

    private S3Storage storage(String server, Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(servers.get(server).options());
        options.put(S3StorageSettings.PART_SIZE, "5MiB");
        options.putAll(extra);
        return new S3Storage(S3StorageSettings.fromOptions(CairnOptions.of(options)));
    }

    private static String base() {
        return "s3://" + BUCKET + "/c-" + UUID.randomUUID() + "/";
    }

    /** {@code size} bytes from {@code seed}: the same for the same seed. */
    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Writes and commits {@code file} without overwrite. */
    static void write(S3Storage storage, URI file, byte[] data) throws IOException {
        try (StorageOutput out = storage.create(file, false)) {
            out.write(data);
            out.commit();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverNames")
    void everyStoreKeepsWhatWasWrittenByteForByte(String server) throws Exception {
        String base = base();
        try (S3Storage storage = storage(server, Map.of())) {
            // empty, tiny, one PUT, and a two-part multipart upload
            int[] sizes = {0, 5, 70_000, 5 * MIB + 3};
            for (int size : sizes) {
                write(storage, URI.create(base + "f-" + size), random(size, size));
            }
            for (int size : sizes) {
                String key = URI.create(base).getPath().substring(1) + "f-" + size;
                assertArrayEquals(random(size, size), servers.get(server).rawObject(BUCKET, key), server + ": " + key + " as stored");
            }
            assertEquals(Support.SUPPORTED, storage.storeCapabilities().orElseThrow().storesBodiesExactly(), server);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverNames")
    void theProbeFindsWhatEachStoreSupportsAndLeavesNothingBehind(String server) throws Exception {
        String base = base();
        try (S3Storage storage = storage(server, Map.of())) {
            write(storage, URI.create(base + "part-00000"), random(100, 1));
            S3StoreCapabilities c = storage.storeCapabilities().orElseThrow();
            // Neither enforces If-None-Match on PUT (the HEAD check before the commit is what keeps files there).
            assertEquals(Support.IGNORED, c.conditionalWrites(), server);
            if (server.startsWith("S3Proxy")) {
                assertEquals(Support.SUPPORTED, c.abortMultipartUpload(), server);
                assertEquals(Support.REJECTED, c.crc32cChecksums(), server + ": S3Proxy answers 501");
                assertEquals(Support.SUPPORTED, c.md5Checksums(), server);
                assertEquals(S3Checksum.MD5, c.checksumSent(), server);
            } else {
                assertEquals(Support.REJECTED, c.abortMultipartUpload(), server + ": s3rver answers 405");
                assertEquals(Support.IGNORED, c.crc32cChecksums(), server);
                assertEquals(Support.IGNORED, c.md5Checksums(), server);
                assertEquals(S3Checksum.NONE, c.checksumSent(), server + ": nothing is verified, so nothing is sent");
            }
            List<FileStatus> listed = storage.list(URI.create(base));
            assertEquals(List.of("part-00000"), listed.stream().map(FileStatus::name).toList(), server + ": no probe object left");
        }
    }

    @Test
    void aStoreThatKeepsChunkFramingAsDataFailsTheCommitNamingTheOption() throws Exception {
        String base = base();
        // The SDK's aws-chunked uploads forced on, against s3rver over http, which stores the frames.
        try (S3Storage storage = storage("s3rver over http", Map.of(S3StorageSettings.CHUNKED_ENCODING, "true",
                S3StorageSettings.PROBE, "false"))) {
            URI file = URI.create(base + "part-00003");
            S3StoredSizeException e = assertThrows(S3StoredSizeException.class, () -> write(storage, file, random(206_054, 3)));
            assertEquals(206_054, e.sentBytes());
            assertTrue(e.storedBytes() > e.sentBytes(), e.getMessage());
            assertTrue(e.getMessage().startsWith("Cannot commit " + file + ": bucket '" + BUCKET + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("aws-chunked") && e.getMessage().contains(S3StorageSettings.CHUNKED_ENCODING + " (now true"),
                    e.getMessage());
            assertThrows(NoSuchFileException.class, () -> storage.stat(file), "the altered object is removed again");
        }
    }

    @Test
    void aFailedAbortIsLoggedAndReportedWithTheUploadIdAndTheLifecycleHint() throws Exception {
        String base = base();
        try (S3Storage storage = storage("s3rver over http", Map.of(S3StorageSettings.PROBE, "false"))) {
            URI file = URI.create(base + "part-00001");
            StorageOutput out = storage.create(file, true);
            out.write(random(5 * MIB + 1, 9)); // the first part is uploaded
            S3StorageException e = assertThrows(S3StorageException.class, out::close);
            List<S3Storage.AbandonedUpload> left = storage.abandonedUploads();
            assertEquals(1, left.size(), left.toString());
            assertEquals(URI.create(base).getPath().substring(1) + "part-00001", left.get(0).key());
            assertTrue(e.getMessage().contains(left.get(0).uploadId()) && e.getMessage().contains("AbortIncompleteMultipartUpload")
                    && e.getMessage().contains("bucket '" + BUCKET + "'"), e.getMessage());
            assertThrows(NoSuchFileException.class, () -> storage.stat(file), "nothing published");
        }
    }
}
