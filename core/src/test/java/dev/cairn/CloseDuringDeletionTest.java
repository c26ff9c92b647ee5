package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.memory.MemoryStorage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} while the cleaner thread is half-way through deleting an unreachable
 * checkpoint (its manifest gone, its parts not yet): close must let that deletion finish before
 * it closes the storage, or the parts stay behind as debris without a manifest. A kill-campaign
 * run once found exactly that. Here the store holds the deletion of the parts at a gate, so the
 * interleaving is forced, not hoped for.
 */
class CloseDuringDeletionTest {
    private static final String DIR = "memory://close-during-deletion/ck";

    @Test
    void closeWaitsForTheDeletionTheCleanerHasStarted() throws Exception {
        GatedStore store = new GatedStore();
        CairnContext ctx = CairnContext.builder().parallelism(1).checkpointDir(DIR)
                .option("cairn.checkpoint.cleanup-on-gc", "true")
                .storageProvider(store.provider()).build();
        URI location = checkpointAndDrop(ctx);
        URI part = URI.create(location + "/part-00000");
        assertTrue(exists(part), "the checkpoint's first part before the deletion");

        store.armed.set(true);
        awaitAfterGc(() -> store.partsDeletionStarted.getCount() == 0, "the cleaner to start deleting " + location);
        assertFalse(exists(URI.create(location + "/_manifest.json")), "the manifest goes first");

        Thread closer = new Thread(ctx::close, "closer");
        closer.start();
        // Blocked or waiting (on the deletion) with the fix; already ended without it.
        await(() -> closer.getState() == Thread.State.BLOCKED || closer.getState() == Thread.State.WAITING
                || closer.getState() == Thread.State.TIMED_WAITING || closer.getState() == Thread.State.TERMINATED,
                "close to block or end");
        assertEquals(List.of("delete-parts-start"), store.events(), "nothing closed while the deletion runs");

        store.release.countDown();
        closer.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(closer.isAlive(), "close ends once the deletion has finished");
        assertEquals(List.of("delete-parts-start", "delete-parts-end", "storage-close"), store.events());
        assertFalse(exists(part), "no part left behind without its manifest");
    }

    /** A checkpointed dataset nothing references once this returns; its location. */
    private static URI checkpointAndDrop(CairnContext ctx) {
        Dataset<Long> ds = ctx.range(0, 1_000, 4).map(x -> x * 2).checkpoint(CheckpointMode.EAGER);
        assertEquals(1_000, ds.count());
        return ds.checkpointLocation().orElseThrow();
    }

    private static boolean exists(URI file) {
        try {
            new MemoryStorage().stat(file);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitAfterGc(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting for " + what);
            }
            System.gc();
            Thread.sleep(20); // poll interval: the cleaner gives no notification
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting for " + what);
            }
            Thread.sleep(5); // poll interval: thread states give no notification
        }
    }

    /** memory:// whose deletion of a checkpoint directory (not of its manifest) waits at a gate once armed. */
    private static final class GatedStore implements Storage {
        private final MemoryStorage delegate = new MemoryStorage();
        final AtomicBoolean armed = new AtomicBoolean();
        final CountDownLatch partsDeletionStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final List<String> events = new ArrayList<>();

        synchronized List<String> events() {
            return List.copyOf(events);
        }

        private synchronized void event(String e) {
            events.add(e);
        }

        StorageProvider provider() {
            Storage self = this;
            return new StorageProvider() {
                @Override
                public Set<String> schemes() {
                    return Set.of("memory");
                }

                @Override
                public Storage open(String scheme, CairnOptions options) {
                    return self;
                }
            };
        }

        @Override
        public void delete(URI fileOrDirectory) throws IOException {
            boolean gated = armed.get() && !fileOrDirectory.getPath().endsWith("/_manifest.json");
            if (gated) {
                event("delete-parts-start");
                partsDeletionStarted.countDown();
                try {
                    if (!release.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("test gate never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted at the test gate", e);
                }
            }
            delegate.delete(fileOrDirectory);
            if (gated) {
                event("delete-parts-end");
            }
        }

        @Override
        public void close() throws IOException {
            event("storage-close");
            delegate.close();
        }

        @Override
        public ListingConsistency listing() {
            return delegate.listing();
        }

        @Override
        public boolean readsBackFromWriterCache() {
            return delegate.readsBackFromWriterCache();
        }

        @Override
        public InputStream open(URI file) throws IOException {
            return delegate.open(file);
        }

        @Override
        public StorageOutput create(URI file, boolean overwrite) throws IOException {
            return delegate.create(file, overwrite);
        }

        @Override
        public FileStatus stat(URI file) throws IOException {
            return delegate.stat(file);
        }

        @Override
        public List<FileStatus> list(URI directory) throws IOException {
            return delegate.list(directory);
        }
    }
}
