package dev.cairn.ml;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.CairnContext;
import dev.cairn.config.CairnOptions;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.memory.MemoryStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/** Shared helpers: looking at a checkpoint tree on a store, failing manifest commits on purpose, awaiting the cleaner. */
final class MlTestSupport {
    private MlTestSupport() {
    }

    /** Every dataset directory under {@code <dir>/<context>/}, committed or not. */
    static List<URI> datasetDirs(CairnContext ctx, URI dir) {
        Storage storage = dev.cairn.RawStorage.of(dir);
        List<URI> out = new ArrayList<>();
        try {
            for (FileStatus context : storage.list(dir)) {
                if (context.directory()) {
                    for (FileStatus ds : storage.list(context.location())) {
                        if (ds.directory()) {
                            out.add(ds.location());
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The dataset directories under {@code dir} that hold a manifest. */
    static List<URI> committedDirs(CairnContext ctx, URI dir) {
        List<URI> out = new ArrayList<>();
        for (URI d : datasetDirs(ctx, dir)) {
            if (exists(ctx, CheckpointLayout.child(d, CheckpointManifest.FILE_NAME))) {
                out.add(d);
            }
        }
        return out;
    }

    static boolean exists(CairnContext ctx, URI file) {
        try {
            dev.cairn.RawStorage.of(file).stat(file);
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CheckpointManifest manifest(CairnContext ctx, URI location) {
        return CheckpointReader.openManifest(dev.cairn.RawStorage.registry(), location, ctx.options()).manifest();
    }

    /** Writes a file with some bytes, as a killed writer would have left it. */
    static void writeFile(CairnContext ctx, URI file, byte[] bytes) {
        try (StorageOutput out = dev.cairn.RawStorage.of(file).create(file, true)) {
            out.write(bytes);
            out.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for {@code condition}, collecting garbage between polls: deferred checkpoint
     * deletions run on the cleaner thread once their dataset is unreachable.
     */
    static void awaitAfterGc(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting for: " + what);
            }
            System.gc();
            try {
                Thread.sleep(20); // poll interval for a condition that has no notification
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    /** A memory:// provider (overriding the discovered one) whose manifest commits fail while {@code failManifests} is set. */
    static StorageProvider failingManifests(AtomicBoolean failManifests) {
        return new StorageProvider() {
            @Override
            public Set<String> schemes() {
                return Set.of("memory");
            }

            @Override
            public Storage open(String scheme, CairnOptions options) {
                return new FailingManifestStorage(new MemoryStorage(), failManifests);
            }
        };
    }

    private static final class FailingManifestStorage implements Storage {
        private final Storage delegate;
        private final AtomicBoolean fail;

        FailingManifestStorage(Storage delegate, AtomicBoolean fail) {
            this.delegate = delegate;
            this.fail = fail;
        }

        @Override
        public ListingConsistency listing() {
            return delegate.listing();
        }

        @Override
        public InputStream open(URI file) throws IOException {
            return delegate.open(file);
        }

        @Override
        public StorageOutput create(URI file, boolean overwrite) throws IOException {
            if (fail.get() && file.getPath().endsWith("/" + CheckpointManifest.FILE_NAME)) {
                throw new IOException("injected failure: cannot create " + file);
            }
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

        @Override
        public void delete(URI fileOrDirectory) throws IOException {
            delegate.delete(fileOrDirectory);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
