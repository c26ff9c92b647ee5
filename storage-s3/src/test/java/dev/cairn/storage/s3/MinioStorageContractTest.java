package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.tck.StorageContractTest;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;

/**
 * The storage contract, a checkpoint, and a real race of no-overwrite commits against MinIO in
 * Docker, with what S3Proxy lacks: CRC32C request checksums and enforced {@code If-None-Match}.
 * Skipped where no Docker engine runs (the S3Proxy tests cover the rest there).
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioStorageContractTest extends StorageContractTest {
    private static final String BUCKET = "tck";

    @Container
    private static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2024-12-18T13-15-44Z");

    private static S3Storage storage;

    @BeforeAll
    static void createBucket() {
        storage = new S3Storage(S3StorageSettings.fromOptions(dev.cairn.config.CairnOptions.of(options())));
        storage.client().createBucket(CreateBucketRequest.builder().bucket(BUCKET).build());
    }

    @AfterAll
    static void closeStorage() {
        if (storage != null) {
            storage.close();
        }
    }

    private static java.util.Map<String, String> options() {
        return java.util.Map.of(
                S3StorageSettings.ENDPOINT, MINIO.getS3URL(),
                S3StorageSettings.REGION, "us-east-1",
                S3StorageSettings.PATH_STYLE_ACCESS, "true",
                S3StorageSettings.ACCESS_KEY, MINIO.getUserName(),
                S3StorageSettings.SECRET_KEY, MINIO.getPassword(),
                S3StorageSettings.LISTING_CONSISTENCY, "strong",
                S3StorageSettings.CHECKSUM, "crc32c",
                S3StorageSettings.PART_SIZE, "5MiB");
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    @Override
    protected URI newBaseDirectory() {
        return URI.create("s3://" + BUCKET + "/tck%20base%20%C3%BC-" + UUID.randomUUID() + "/");
    }

    @Test
    void minioIsStronglyConsistentAndTakesCrc32c() {
        assertEquals(ListingConsistency.STRONG, storage.listing());
        assertEquals(S3Checksum.CRC32C, storage.checksumToSend());
    }

    @Test
    void ofManyRacingNoOverwriteCommitsExactlyOneWins() throws Exception {
        URI file = URI.create(baseDirectory() + "_manifest.json");
        int writers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<byte[]>> results = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte[] content = content("writer-" + w, 1000 + w);
                results.add(pool.submit((Callable<byte[]>) () -> {
                    try (StorageOutput out = storage.create(file, false)) {
                        out.write(content);
                        start.await();
                        out.commit();
                        return content;
                    }
                }));
            }
            start.countDown();
            List<byte[]> winners = new ArrayList<>();
            for (Future<byte[]> f : results) {
                try {
                    winners.add(f.get());
                } catch (ExecutionException e) {
                    assertInstanceOf(FileAlreadyExistsException.class, e.getCause());
                }
            }
            assertEquals(1, winners.size(), "exactly one commit may win");
            try (InputStream in = storage.open(file)) {
                assertArrayEquals(winners.get(0), in.readAllBytes());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCheckpointRoundTrips() {
        String dir = "s3://" + BUCKET + "/ckpt-" + UUID.randomUUID();
        try (CairnContext ctx = CairnContext.builder().parallelism(4).checkpointDir(dir).options(options()).build();
             CairnContext reader = CairnContext.builder().options(options()).build()) {
            Dataset<Long> ds = ctx.range(0, 20_000, 8).map(x -> x * 7);
            ds.checkpoint();
            assertEquals(20_000, ds.count());
            assertEquals(ds.collect(), reader.<Long>readCheckpoint(ds.checkpointLocation().orElseThrow()).collect());
        }
    }
}
