package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.config.CairnOptions;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageProvider;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A core race that object stores expose: when one task of a checkpointing job fails,
 * {@code Engine.runTasks} cancels the others (interrupts) and rethrows at once, and
 * {@code CheckpointData.abort} deletes the checkpoint directory, while the other tasks may still
 * be publishing their parts. On S3 a commit is an HTTP request; once on the wire an interrupt
 * cannot recall it, so the part lands after the delete and stays as debris. Here a storage whose
 * commits take 300 ms and cannot be interrupted once started stands in for a slow PUT.
 */
class CoreTaskCancellationTest {
    private static final String BUCKET = "cancel";
    private static S3TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.start(BUCKET);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aFailedCheckpointLeavesNoPartsEvenWhenOtherTasksWereStillPublishing() throws Exception {
        AtomicInteger committing = new AtomicInteger();
        URI dir = URI.create("s3://" + BUCKET + "/run-" + UUID.randomUUID());
        try (CairnContext ctx = CairnContext.builder().parallelism(4).checkpointDir(dir).options(server.options())
                .option(S3StorageSettings.CHECKSUM, "md5").option(S3StorageSettings.LISTING_CONSISTENCY, "strong")
                .storageProvider(new SlowCommitsProvider(committing)).build()) {
            Dataset<Long> ds = ctx.range(0, 400, 4).map(x -> {
                if (x == 0) {
                    throw new IllegalStateException("partition 0 fails at once");
                }
                return x;
            });
            ds.checkpoint();
            assertThrows(RuntimeException.class, ds::count);

            // Let the commits that were on the wire finish, then look.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (committing.get() > 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(0, committing.get());
            URI location = CheckpointLayout.datasetDirectory(dir, ctx.contextId(), ds.id());
            List<String> left;
            try (Storage raw = new S3StorageProvider().open("s3", ctx.options())) {
                left = raw.list(location).stream().map(FileStatus::name).collect(Collectors.toList());
            }
            assertTrue(left.isEmpty(), "files of a failed checkpoint left behind: " + left);
        }
    }

    /** S3 storage whose commits take 300 ms and, once started, run to the end whatever interrupts come. */
    private static final class SlowCommitsProvider implements StorageProvider {
        private final AtomicInteger committing;

        SlowCommitsProvider(AtomicInteger committing) {
            this.committing = committing;
        }

        @Override
        public Set<String> schemes() {
            return Set.of(S3StorageProvider.SCHEME);
        }

        @Override
        public Storage open(String scheme, CairnOptions options) {
            Storage s3 = new S3StorageProvider().open(scheme, options);
            return new Storage() {
                @Override
                public ListingConsistency listing() {
                    return s3.listing();
                }

                @Override
                public InputStream open(URI file) throws IOException {
                    return s3.open(file);
                }

                @Override
                public StorageOutput create(URI file, boolean overwrite) throws IOException {
                    StorageOutput out = s3.create(file, overwrite);
                    return new StorageOutput(file) {
                        @Override
                        protected void writeBytes(byte[] b, int off, int len) throws IOException {
                            out.write(b, off, len);
                        }

                        @Override
                        protected void publish() throws IOException {
                            committing.incrementAndGet();
                            boolean interrupted = false;
                            try {
                                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                                for (long left; (left = until - System.nanoTime()) > 0; ) {
                                    try {
                                        TimeUnit.NANOSECONDS.sleep(left); // the request is on the wire
                                    } catch (InterruptedException e) {
                                        interrupted = true; // and an interrupt does not recall it
                                    }
                                }
                                out.commit();
                            } finally {
                                if (interrupted) {
                                    Thread.currentThread().interrupt();
                                }
                                committing.decrementAndGet();
                            }
                        }

                        @Override
                        protected void discard() throws IOException {
                            out.close();
                        }
                    };
                }

                @Override
                public FileStatus stat(URI file) throws IOException {
                    return s3.stat(file);
                }

                @Override
                public List<FileStatus> list(URI directory) throws IOException {
                    return s3.list(directory);
                }

                @Override
                public void delete(URI fileOrDirectory) throws IOException {
                    s3.delete(fileOrDirectory);
                }

                @Override
                public void close() throws IOException {
                    s3.close();
                }
            };
        }

        @Override
        public Set<String> optionKeys() {
            return S3StorageSettings.optionKeys();
        }
    }
}
