package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.CheckpointState;
import dev.cairn.CorruptPartException;
import dev.cairn.Dataset;
import dev.cairn.HashPartitioner;
import dev.cairn.KeyedDataset;
import dev.cairn.ListingTimeoutException;
import dev.cairn.MissingPartException;
import dev.cairn.Pair;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointStats;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Reliable checkpoints to {@code s3://} through the public API only, against an in-process
 * S3Proxy: lazy and eager checkpoints, reading them back from a second context, partitions big
 * enough for multipart uploads, failures that must leave no upload behind, and damaged files
 * that must be caught and named.
 */
class S3CheckpointTest {
    private static final String BUCKET = "ckpt";
    private static S3TestServer server;

    private final List<CairnContext> contexts = new ArrayList<>();
    private final List<S3Storage> rawStores = new ArrayList<>();
    private final List<CheckpointStats> verified = Collections.synchronizedList(new ArrayList<>());
    private URI checkpointDir;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3TestServer.start(BUCKET);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @BeforeEach
    void newDirectory() {
        checkpointDir = URI.create("s3://" + BUCKET + "/run-" + UUID.randomUUID());
    }

    @AfterEach
    void closeContexts() throws java.io.IOException {
        contexts.forEach(CairnContext::close);
        for (S3Storage s : rawStores) {
            s.close();
        }
    }

    private CairnContext context(Map<String, String> extra) {
        CairnContext.Builder b = CairnContext.builder().appName("s3-test").parallelism(4).checkpointDir(checkpointDir)
                .options(server.options())
                // S3Proxy does not know the CRC32C header: skip the probe and its WARN in every test
                .option(S3StorageSettings.CHECKSUM, "md5")
                .option(S3StorageSettings.PART_SIZE, "5MiB")
                .checkpointListener(new CheckpointListener() {
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

    private CairnContext context() {
        return context(Map.of());
    }

    /** The store under the context's checkpoints, as another process sees it; closed after the test. */
    private S3Storage s3(CairnContext ctx, URI location) {
        S3Storage raw = (S3Storage) new S3StorageProvider().open(location.getScheme(), ctx.options());
        rawStores.add(raw);
        return raw;
    }

    private static List<Long> expected(long start, long end, java.util.function.LongUnaryOperator f) {
        return LongStream.range(start, end).map(f).boxed().collect(Collectors.toList());
    }

    @Test
    void lazyCheckpointIsWrittenByTheNextActionAndReadBackFromAnotherContext() {
        CairnContext ctx = context();
        Dataset<Long> ds = ctx.range(0, 10_000, 8).map(x -> x * 3);
        ds.checkpoint();
        assertEquals(CheckpointState.MARKED, ds.checkpointState());

        assertEquals(10_000, ds.count());

        assertTrue(ds.isCheckpointed());
        URI location = ds.checkpointLocation().orElseThrow();
        assertTrue(location.toString().startsWith(checkpointDir + "/" + ctx.contextId() + "/dataset-"), location.toString());
        assertEquals(expected(0, 10_000, x -> x * 3), ds.collect());
        assertEquals(1, verified.size());
        assertEquals(8, verified.get(0).parts());

        TreeSet<String> names = new TreeSet<>();
        try {
            for (FileStatus f : s3(ctx, location).list(location)) {
                names.add(f.name());
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        TreeSet<String> want = new TreeSet<>();
        for (int i = 0; i < 8; i++) {
            want.add(CheckpointManifest.partName(i));
        }
        want.add(CheckpointManifest.FILE_NAME);
        assertEquals(want, names);

        Dataset<Long> back = context().readCheckpoint(location);
        assertEquals(8, back.numPartitions());
        assertEquals(expected(0, 10_000, x -> x * 3), back.collect());
    }

    @Test
    void eagerCheckpointWritesBeforeReturning() {
        CairnContext ctx = context();
        Dataset<String> ds = ctx.range(0, 1_000, 5).map(x -> "record-" + x);
        ds.checkpoint(CheckpointMode.EAGER);
        assertTrue(ds.isCheckpointed());
        assertEquals(1, verified.size());
        assertEquals(1_000, ds.count());

        Dataset<String> back = context().readCheckpoint(ds.checkpointLocation().orElseThrow());
        assertEquals(ds.collect(), back.collect());
    }

    @Test
    void keyedCheckpointKeepsItsPartitioner() {
        CairnContext ctx = context();
        List<Pair<Integer, String>> pairs = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            pairs.add(new Pair<>(i, "v" + i));
        }
        KeyedDataset<Integer, String> ds = ctx.parallelizePairs(pairs, 3).partitionBy(new HashPartitioner(6));
        ds.checkpoint(CheckpointMode.EAGER);

        KeyedDataset<Integer, String> back = context().readKeyedCheckpoint(ds.checkpointLocation().orElseThrow());
        assertEquals(ds.partitioner(), back.partitioner());
        assertEquals(new TreeSet<>(ds.collect().stream().map(Pair::key).toList()),
                new TreeSet<>(back.collect().stream().map(Pair::key).toList()));
    }

    @Test
    void partitionsLargerThanAPartStreamAsMultipartUploadsAndLeaveNoUploadBehind() throws Exception {
        CairnContext ctx = context(Map.of(S3StorageSettings.UPLOAD_CONCURRENCY, "3"));
        // 2 partitions of 48 × 256 KiB = 12 MiB each: three 5 MiB parts per file, in parallel.
        Dataset<byte[]> ds = ctx.range(0, 96, 2).map(i -> {
            byte[] b = new byte[256 * 1024];
            new java.util.SplittableRandom(i).nextBytes(b);
            return b;
        });
        ds.checkpoint();
        assertEquals(96, ds.count());

        URI location = ds.checkpointLocation().orElseThrow();
        S3Storage storage = s3(ctx, location);
        assertTrue(storage.stat(URI.create(location + "/part-00000")).length() > 2 * S3StorageSettings.MIN_PART_SIZE);
        assertEquals(List.of(), uploadsUnder(storage, location));

        List<byte[]> back = context().<byte[]>readCheckpoint(location).collect();
        assertEquals(96, back.size());
        for (int i = 0; i < 96; i++) {
            byte[] want = new byte[256 * 1024];
            new java.util.SplittableRandom(i).nextBytes(want);
            assertArrayEquals(want, back.get(i), "record " + i);
        }
    }

    @Test
    void aTaskThatFailsHalfwayThroughAMultipartPartAbortsItsUpload() throws Exception {
        CairnContext ctx = context(Map.of(S3StorageSettings.UPLOAD_CONCURRENCY, "2"));
        Dataset<byte[]> ds = ctx.range(0, 80, 2).map(i -> {
            if (i == 70) { // partition 1, after 30 records (7.5 MiB): its upload has started
                throw new IllegalStateException("task failed on purpose at record " + i);
            }
            return new byte[256 * 1024];
        });
        ds.checkpoint();
        RuntimeException failure = assertThrows(RuntimeException.class, ds::count);
        assertTrue(String.valueOf(failure.getMessage()).contains("record 70") || hasCause(failure, "record 70"), failure.toString());
        assertFalse(ds.isCheckpointed());

        URI datasetDir = URI.create(checkpointDir + "/" + ctx.contextId());
        S3Storage storage = s3(ctx, datasetDir);
        assertEquals(List.of(), uploadsUnder(storage, datasetDir), "multipart uploads left behind");
        assertEquals(List.of(), listRecursively(storage, datasetDir), "files left behind by a failed checkpoint");
    }

    @Test
    void aPartChangedAfterTheCommitIsCaughtByItsChecksumAndNamed() throws Exception {
        CairnContext ctx = context();
        Dataset<Long> ds = ctx.range(0, 4_000, 4);
        ds.checkpoint(CheckpointMode.EAGER);
        URI location = ds.checkpointLocation().orElseThrow();
        S3Storage storage = s3(ctx, location);

        // Same length, one byte flipped in the middle: only the CRC32C can tell.
        URI part = URI.create(location + "/part-00002");
        byte[] bytes;
        try (InputStream in = storage.open(part)) {
            bytes = in.readAllBytes();
        }
        bytes[bytes.length / 2] ^= 0x40;
        try (StorageOutput out = storage.create(part, true)) {
            out.write(bytes);
            out.commit();
        }

        // The damaged byte may break decoding before the end-of-part CRC32C check: either way
        // the read fails, as a CorruptPartException that names the part.
        Dataset<Long> back = context().readCheckpoint(location);
        RuntimeException failure = assertThrows(RuntimeException.class, back::count);
        CorruptPartException e = causeOf(failure, CorruptPartException.class);
        assertEquals("part-00002", e.file(), e.getMessage());
        assertTrue(e.getMessage().contains(location + "/part-00002"), e.getMessage());
    }

    static <E extends Throwable> E causeOf(Throwable t, Class<E> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        throw new AssertionError("expected a " + type.getSimpleName() + " in the cause chain of " + t, t);
    }

    @Test
    void aDeletedPartIsNamedWhenTheListingNeverShowsIt() throws Exception {
        CairnContext ctx = context();
        Dataset<Long> ds = ctx.range(0, 1_000, 4);
        ds.checkpoint(CheckpointMode.EAGER);
        URI location = ds.checkpointLocation().orElseThrow();
        s3(ctx, location).delete(URI.create(location + "/part-00001"));

        // eventual (the default): the reader polls, then names what never showed up
        ListingTimeoutException late = assertThrows(ListingTimeoutException.class,
                () -> context(Map.of("cairn.checkpoint.listing.timeout", "300ms")).readCheckpoint(location));
        assertEquals(List.of("part-00001"), late.missingParts());
        assertTrue(late.getMessage().contains("part-00001"), late.getMessage());

        // strong: one listing decides
        MissingPartException missing = assertThrows(MissingPartException.class,
                () -> context(Map.of(S3StorageSettings.LISTING_CONSISTENCY, "strong")).readCheckpoint(location));
        assertEquals("part-00001", missing.file(), missing.getMessage());
    }

    @Test
    void aTruncatedPartIsCaughtByItsListedSize() throws Exception {
        CairnContext ctx = context();
        Dataset<Long> ds = ctx.range(0, 1_000, 2);
        ds.checkpoint(CheckpointMode.EAGER);
        URI location = ds.checkpointLocation().orElseThrow();
        S3Storage storage = s3(ctx, location);
        URI part = URI.create(location + "/part-00000");
        byte[] bytes;
        try (InputStream in = storage.open(part)) {
            bytes = in.readAllBytes();
        }
        try (StorageOutput out = storage.create(part, true)) {
            out.write(bytes, 0, bytes.length - 3);
            out.commit();
        }

        CorruptPartException e = assertThrows(CorruptPartException.class,
                () -> context(Map.of(S3StorageSettings.LISTING_CONSISTENCY, "strong")).readCheckpoint(location));
        assertEquals("part-00000", e.file(), e.getMessage());
        assertTrue(e.getMessage().contains("expected " + bytes.length + " bytes"), e.getMessage());
    }

    private static boolean hasCause(Throwable t, String text) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (String.valueOf(c.getMessage()).contains(text)) {
                return true;
            }
        }
        return false;
    }

    static List<String> uploadsUnder(S3Storage storage, URI prefix) {
        S3Location loc = new S3Location(prefix.getAuthority(), prefix.getPath().substring(1));
        return storage.client().listMultipartUploads(ListMultipartUploadsRequest.builder().bucket(loc.bucket())
                        .prefix(loc.directoryPrefix()).build())
                .uploads().stream().map(MultipartUpload::key).collect(Collectors.toList());
    }

    static List<URI> listRecursively(Storage storage, URI dir) throws java.io.IOException {
        List<URI> files = new ArrayList<>();
        for (FileStatus f : storage.list(dir)) {
            if (f.directory()) {
                files.addAll(listRecursively(storage, f.location()));
            } else {
                files.add(f.location());
            }
        }
        return files;
    }
}
