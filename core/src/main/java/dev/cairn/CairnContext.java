package dev.cairn;

import dev.cairn.config.CairnOptions;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.OrphanSweeper;
import dev.cairn.exec.ReliableCheckpointDataset;
import dev.cairn.exec.Dependency;
import dev.cairn.exec.Engine;
import dev.cairn.exec.KeyedMapPartitionsDataset;
import dev.cairn.exec.ParallelCollectionDataset;
import dev.cairn.exec.RangeDataset;
import dev.cairn.exec.TaskContext;
import dev.cairn.serde.Serializer;
import dev.cairn.serde.Serializers;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point: makes source datasets, runs their jobs on a pool of worker threads, and owns
 * everything a job needs (block store, shuffle outputs, storage backends, serializer). Build one
 * with {@link #builder()}; close it when done.
 *
 * <pre>{@code
 * try (CairnContext ctx = CairnContext.builder().appName("demo").checkpointDir("file:///tmp/ckpt").build()) {
 *     long n = ctx.range(0, 1_000, 10).map(x -> x + 1).count();
 * }
 * }</pre>
 *
 * <p>Thread-safe: datasets may be built and actions run from several threads.
 */
public final class CairnContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CairnContext.class);

    private final String appName;
    private final String contextId = UUID.randomUUID().toString();
    private final int parallelism;
    private final CairnOptions options;
    private final Serializer serializer;
    private final StorageRegistry storage;
    private final Engine engine;
    private final boolean cleanupOnClose;
    private final boolean cleanupOnGc;
    private final CheckpointListeners listeners = new CheckpointListeners();
    private final AtomicInteger nextDatasetId = new AtomicInteger();
    /** Context directories this context committed checkpoints under, for cleanup-on-close. */
    private final Set<URI> contextDirs = ConcurrentHashMap.newKeySet();
    /** Checkpoint locations and the live datasets that read them; a location with a live reader is not deleted. */
    private final Map<URI, List<WeakReference<Dataset<?>>>> readers = new ConcurrentHashMap<>();
    /** Checkpoints to delete once their dataset is unreachable, or on close. */
    private final Set<URI> pendingDeletes = ConcurrentHashMap.newKeySet();
    private volatile URI checkpointDir;
    private volatile boolean closed;

    private CairnContext(Builder b, CairnOptions options) {
        this.appName = b.appName;
        this.parallelism = b.parallelism;
        this.options = options;
        this.serializer = Serializers.fromOptions(options);
        dev.cairn.checkpoint.CheckpointOptions.validate(options);
        this.cleanupOnClose = options.getBoolean(KnownOptions.CLEANUP_ON_CLOSE, false);
        this.cleanupOnGc = options.getBoolean(KnownOptions.CLEANUP_ON_GC, false);
        b.listeners.forEach(listeners::add);
        this.storage = StorageRegistry.create(options, b.providers, Thread.currentThread().getContextClassLoader());
        Path spill = Path.of(options.getString(KnownOptions.SPILL_DIR, System.getProperty("java.io.tmpdir")));
        this.engine = new Engine(appName, parallelism, serializer, spill);
        if (b.checkpointDir != null) {
            setCheckpointDir(b.checkpointDir);
        }
        LOG.info("Started context {} ({}): parallelism {}, serializer {}, storage schemes {}", appName, contextId, parallelism,
                serializer.name(), storage.schemes());
    }

    /** A builder with defaults: app name {@code cairn}, parallelism = available processors, no checkpoint dir. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- sources

    /** The longs of {@code [start, end)} in {@code numPartitions} contiguous partitions. */
    public Dataset<Long> range(long start, long end, int numPartitions) {
        checkOpen("create a range");
        if (end < start) {
            throw new CairnException("Cannot create range [" + start + ", " + end + ") (expected end >= start, found end < start)");
        }
        try {
            Math.subtractExact(end, start);
        } catch (ArithmeticException e) {
            throw new CairnException("Cannot create range [" + start + ", " + end + ") (expected at most Long.MAX_VALUE values, found more)", e);
        }
        Checks.positive(numPartitions, "create range", "numPartitions", null);
        return new RangeDataset(this, start, end, numPartitions);
    }

    /** The longs of {@code [start, end)} in {@link #parallelism()} partitions. */
    public Dataset<Long> range(long start, long end) {
        return range(start, end, parallelism);
    }

    /** {@code records} (copied) in {@code numPartitions} contiguous partitions. */
    public <T> Dataset<T> parallelize(List<T> records, int numPartitions) {
        checkOpen("parallelize a list");
        Checks.notNull(records, "parallelize", "list", null);
        Checks.positive(numPartitions, "parallelize", "numPartitions", null);
        return new ParallelCollectionDataset<>(this, records, numPartitions);
    }

    /** {@code records} (copied) in {@link #parallelism()} partitions. */
    public <T> Dataset<T> parallelize(List<T> records) {
        return parallelize(records, parallelism);
    }

    /** {@code pairs} (copied) as a keyed dataset in {@code numPartitions} partitions, not partitioned by key. */
    public <K, V> KeyedDataset<K, V> parallelizePairs(List<Pair<K, V>> pairs, int numPartitions) {
        Dataset<Pair<K, V>> records = parallelize(pairs, numPartitions);
        return new dev.cairn.exec.KeyedMapPartitionsDataset<Pair<K, V>, K, V>(records, (p, it) -> it, false, "parallelizePairs");
    }

    // ---------------------------------------------------------------- checkpoint directory

    /** Sets where reliable checkpoints go; see {@link Builder#checkpointDir(String)} for the forms accepted. */
    public void setCheckpointDir(String dir) {
        setCheckpointDir(toUri(dir));
    }

    /** Sets where reliable checkpoints go. */
    public void setCheckpointDir(URI dir) {
        checkOpen("set the checkpoint directory");
        this.checkpointDir = checkedCheckpointDir(dir);
    }

    /** {@code dir} in canonical form, once its scheme is known to have a storage. */
    URI checkedCheckpointDir(URI dir) {
        Objects.requireNonNull(dir, "dir");
        URI uri = CheckpointLayout.normalize(dir.getScheme() == null ? Path.of(dir.getPath()).toAbsolutePath().toUri() : dir);
        if (!storage.schemes().contains(uri.getScheme().toLowerCase(java.util.Locale.ROOT))) {
            throw new CairnException("Cannot use checkpoint directory " + uri + " (expected a URI whose scheme is one of "
                    + storage.schemes() + ", found '" + uri.getScheme() + "'; add the storage module that serves it)");
        }
        return uri;
    }

    /** Where reliable checkpoints go, if set. */
    public Optional<URI> checkpointDir() {
        return Optional.ofNullable(checkpointDir);
    }

    static URI toUri(String dir) {
        Objects.requireNonNull(dir, "dir");
        if (dir.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
            try {
                return new URI(dir);
            } catch (URISyntaxException e) {
                throw new CairnException("Cannot parse checkpoint directory '" + dir + "' (expected a URI such as file:///tmp/ckpt or s3://bucket/prefix)", e);
            }
        }
        return Path.of(dir).toAbsolutePath().normalize().toUri();
    }

    // ---------------------------------------------------------------- accessors

    /** The application name. */
    public String appName() {
        return appName;
    }

    /** A random id, unique to this context; reliable checkpoints go under {@code <checkpointDir>/<contextId>/}. */
    public String contextId() {
        return contextId;
    }

    /** Worker threads. */
    public int parallelism() {
        return parallelism;
    }

    /** The options this context was built with. */
    public CairnOptions options() {
        return options;
    }

    /** The serializer for checkpoints and spilled blocks. */
    public Serializer serializer() {
        return serializer;
    }

    /** The storage backends of this context. */
    public StorageRegistry storage() {
        return storage;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    Engine engine() {
        return engine;
    }

    int nextDatasetId() {
        return nextDatasetId.getAndIncrement();
    }

    void checkOpen(String action) {
        if (closed) {
            throw new CairnException("Cannot " + action + ": context '" + appName + "' (" + contextId
                    + ") is closed (expected an open context; build a new one)");
        }
    }

    /**
     * Runs a job, writing through the checkpoints marked in the dataset's lineage, and completes
     * those checkpoints (ancestors first) once the job has succeeded.
     */
    <T, U> List<U> runJob(Dataset<T> dataset, int[] partitions, BiFunction<Iterator<T>, TaskContext, U> task) {
        checkOpen("run a job on dataset " + dataset);
        List<CheckpointData<?>> marked = markedInLineage(dataset);
        List<Object> joined = new ArrayList<>(marked.size());
        List<U> results;
        try {
            for (CheckpointData<?> cp : marked) {
                joined.add(cp.jobStarted());
            }
            results = engine.runJob(dataset, partitions, task);
        } catch (RuntimeException e) {
            endJob(marked, joined, e);
            throw e;
        }
        endJob(marked, joined, null);
        return results;
    }

    /**
     * Tells every checkpoint a job joined that it ended, ancestors first: a successful job
     * finishes them; once one fails, the rest are told the job failed.
     */
    private static void endJob(List<CheckpointData<?>> marked, List<Object> joined, RuntimeException failure) {
        RuntimeException first = failure;
        for (int i = 0; i < joined.size(); i++) {
            try {
                marked.get(i).jobEnded(joined.get(i), first);
            } catch (RuntimeException e) {
                first = e;
            }
        }
        if (first != null && first != failure) {
            throw first;
        }
    }

    /** Writes every checkpoint marked in {@code dataset}'s lineage now (an eager checkpoint). */
    void completeCheckpoints(Dataset<?> dataset) {
        checkOpen("checkpoint dataset " + dataset);
        for (CheckpointData<?> cp : markedInLineage(dataset)) {
            cp.finish();
        }
    }

    /** The checkpoints marked and not yet committed in a lineage, ancestors before descendants. */
    private static List<CheckpointData<?>> markedInLineage(Dataset<?> dataset) {
        List<CheckpointData<?>> found = new ArrayList<>();
        collectMarked(dataset, new HashSet<>(), found);
        return found;
    }

    private static void collectMarked(Dataset<?> dataset, Set<Integer> visited, List<CheckpointData<?>> found) {
        if (!visited.add(dataset.id())) {
            return;
        }
        for (Dependency d : dataset.dependencies()) {
            collectMarked(d.parent(), visited, found);
        }
        CheckpointData<?> cp = dataset.checkpointData();
        if (cp != null && (cp.state() == CheckpointState.MARKED || cp.state() == CheckpointState.IN_PROGRESS)) {
            found.add(cp);
        }
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Opens a committed checkpoint, written by this or any earlier context (of any process), as a
     * dataset with the same partitions and partitioner. {@code location} is the checkpoint's own
     * directory ({@code …/<contextId>/dataset-<id>}), as {@link Dataset#checkpointLocation()}
     * gives it. The manifest is read and every part it lists must be visible at its size (on an
     * eventually consistent store the listing is polled until it is, up to
     * {@code cairn.checkpoint.listing.timeout}); parts are verified as they are read.
     *
     * @throws CheckpointException naming the location and file when the checkpoint is missing,
     *                             uncommitted, incomplete, corrupt or of a newer format
     */
    public <T> Dataset<T> readCheckpoint(URI location) {
        checkOpen("read checkpoint " + location);
        Checks.notNull(location, "read checkpoint", "location", null);
        URI loc = CheckpointLayout.normalize(location.getScheme() == null ? toUri(location.getPath()) : location);
        CheckpointReader reader = CheckpointReader.open(storage, loc, options);
        ReliableCheckpointDataset<T> ds = new ReliableCheckpointDataset<>(this, reader, storage);
        addReader(loc, ds);
        return ds;
    }

    /** {@link #readCheckpoint(URI)} for a location given as a string (URI or local path). */
    public <T> Dataset<T> readCheckpoint(String location) {
        return readCheckpoint(toUri(location));
    }

    /** {@link #readCheckpoint(URI)} as a keyed dataset, keeping the checkpoint's partitioner. */
    public <K, V> KeyedDataset<K, V> readKeyedCheckpoint(URI location) {
        Dataset<Pair<K, V>> pairs = readCheckpoint(location);
        return new KeyedMapPartitionsDataset<Pair<K, V>, K, V>(pairs, (p, it) -> it, true, "readKeyedCheckpoint");
    }

    /**
     * Deletes a checkpoint directory now.
     *
     * @throws CairnException when a live dataset of this context still reads it (a checkpointed
     *                        dataset, or one from {@link #readCheckpoint}); drop it first, or use
     *                        {@link Dataset#deleteCheckpoint()} to delete once it is collected
     */
    public void deleteCheckpoint(URI location) {
        checkOpen("delete checkpoint " + location);
        URI loc = CheckpointLayout.normalize(location);
        Optional<Dataset<?>> live = liveReader(loc);
        if (live.isPresent()) {
            throw new CairnException("Cannot delete checkpoint " + loc + " (expected no live dataset reading it, found " + live.get()
                    + "; drop the references to it, or call its deleteCheckpoint() to delete the files once it is garbage collected)");
        }
        try {
            storage.storageFor(loc).delete(loc);
        } catch (IOException e) {
            throw new CairnException("Cannot delete checkpoint " + loc + " (expected the store to delete it, found an error: " + e + ")", e);
        }
        readers.remove(loc);
        LOG.info("Deleted checkpoint {}", loc);
    }

    private Optional<Dataset<?>> liveReader(URI location) {
        List<WeakReference<Dataset<?>>> refs = readers.get(location);
        if (refs != null) {
            synchronized (refs) {
                for (WeakReference<Dataset<?>> r : refs) {
                    Dataset<?> d = r.get();
                    if (d != null) {
                        return Optional.of(d);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private void addReader(URI location, Dataset<?> reader) {
        List<WeakReference<Dataset<?>>> refs = readers.computeIfAbsent(location, k -> new ArrayList<>());
        synchronized (refs) {
            refs.removeIf(r -> r.get() == null);
            refs.add(new WeakReference<>(reader));
        }
    }

    /** Bookkeeping when a checkpoint commits: who reads it, and what to clean up later. */
    void checkpointCommitted(Dataset<?> dataset, URI checkpointDir, URI location) {
        contextDirs.add(CheckpointLayout.contextDirectory(checkpointDir, contextId));
        addReader(location, dataset);
        if (cleanupOnGc) {
            deleteWhenUnreachable(dataset, location);
        }
    }

    /** Deletes {@code location} once {@code dataset} is garbage collected, or when this context closes. */
    void deleteWhenUnreachable(Dataset<?> dataset, URI location) {
        if (closed || !pendingDeletes.add(location)) {
            return;
        }
        StorageRegistry registry = storage;
        Set<URI> pending = pendingDeletes;
        engine.whenUnreachable(dataset, () -> {
            if (pending.remove(location)) {
                deleteQuietly(registry, location);
            }
        });
    }

    private static void deleteQuietly(StorageRegistry registry, URI location) {
        try {
            registry.storageFor(location).delete(location);
            LOG.info("Deleted checkpoint {}", location);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot delete checkpoint {}: {}", location, e.toString());
        }
    }

    /**
     * Deletes checkpoint debris older than {@code olderThan} under a checkpoint directory:
     * uncommitted dataset directories (writers killed before their commit) and files a committed
     * checkpoint's manifest does not list. Committed checkpoints are kept, and so is anything this
     * context is writing now.
     *
     * @param checkpointDir a checkpoint directory, as given to {@link Builder#checkpointDir(String)}
     * @param olderThan     age below which debris is left alone (a writer may still be at work)
     */
    public OrphanSweeper.Report sweepOrphans(URI checkpointDir, java.time.Duration olderThan) {
        checkOpen("sweep " + checkpointDir);
        Checks.notNull(checkpointDir, "sweep orphans", "checkpoint directory", null);
        Checks.notNull(olderThan, "sweep orphans", "age", null);
        URI dir = CheckpointLayout.normalize(checkpointDir.getScheme() == null ? toUri(checkpointDir.getPath()) : checkpointDir);
        URI mine = CheckpointLayout.contextDirectory(dir, contextId);
        String minePrefix = mine.toString() + "/";
        return OrphanSweeper.sweep(storage, dir, options, olderThan, location -> location.toString().startsWith(minePrefix), false);
    }

    /**
     * The checkpoints under {@code directory}, committed or not, as the format's
     * {@link dev.cairn.checkpoint.CheckpointScanner} finds them (a checkpoint directory, a
     * context's directory of checkpoints, a run directory). Reads manifests; deletes nothing.
     *
     * @throws CairnException for a scheme no storage serves; a {@link CheckpointIOException} when the store fails
     */
    public dev.cairn.checkpoint.CheckpointScanner.Scan scanCheckpoints(URI directory) {
        checkOpen("scan " + directory);
        Checks.notNull(directory, "scan checkpoints", "directory", null);
        URI dir = CheckpointLayout.normalize(directory.getScheme() == null ? toUri(directory.getPath()) : directory);
        return dev.cairn.checkpoint.CheckpointScanner.scan(storage, dir, options);
    }

    CheckpointListener listeners() {
        return listeners;
    }

    /** Adds a listener for checkpoint events. */
    public void addCheckpointListener(CheckpointListener listener) {
        Checks.notNull(listener, "add checkpoint listener", "listener", null);
        listeners.add(listener);
    }

    /** Stops the workers, frees cached blocks and shuffle outputs, and closes the storage backends. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            engine.close();
            for (URI location : new ArrayList<>(pendingDeletes)) {
                if (pendingDeletes.remove(location)) {
                    deleteQuietly(storage, location);
                }
            }
            if (cleanupOnClose) {
                for (URI dir : contextDirs) {
                    deleteQuietly(storage, dir);
                }
            }
        } finally {
            storage.close();
        }
        LOG.info("Closed context {} ({})", appName, contextId);
    }

    @Override
    public String toString() {
        return "CairnContext[" + appName + ", " + contextId + "]";
    }

    /** Collects settings for a {@link CairnContext}; {@link #build()} validates them together. */
    public static final class Builder {
        private String appName = "cairn";
        private int parallelism = Runtime.getRuntime().availableProcessors();
        private URI checkpointDir;
        private final Map<String, String> options = new LinkedHashMap<>();
        private final List<StorageProvider> providers = new ArrayList<>();
        private final List<CheckpointListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /** A name for logs, thread names and checkpoint manifests. */
        public Builder appName(String appName) {
            Checks.notNull(appName, "set appName", "name", null);
            this.appName = appName;
            return this;
        }

        /** Worker threads, at least 1; default: available processors. */
        public Builder parallelism(int parallelism) {
            Checks.positive(parallelism, "set parallelism", "parallelism", null);
            this.parallelism = parallelism;
            return this;
        }

        /**
         * Where reliable checkpoints go: a URI ({@code file:///tmp/ckpt}, {@code s3://bucket/prefix},
         * {@code hdfs://namenode/path}, {@code memory://name/path}) or a local path
         * ({@code /tmp/ckpt}, {@code ckpt}), which is made absolute.
         */
        public Builder checkpointDir(String dir) {
            this.checkpointDir = toUri(dir);
            return this;
        }

        /** Where reliable checkpoints go. */
        public Builder checkpointDir(URI dir) {
            this.checkpointDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Sets one string option; {@code cairn.*} keys are checked at {@link #build()}. */
        public Builder option(String key, String value) {
            Checks.notNull(key, "set option", "key", null);
            if (value == null) {
                throw new CairnException("Cannot set option " + key + " (expected a value, found null)");
            }
            options.put(key, value);
            return this;
        }

        /** Sets several options. */
        public Builder options(Map<String, String> options) {
            Checks.notNull(options, "set options", "map", null);
            options.forEach(this::option);
            return this;
        }

        /** Registers a storage provider in addition to those {@link java.util.ServiceLoader} finds. */
        public Builder storageProvider(StorageProvider provider) {
            Checks.notNull(provider, "register storage provider", "provider", null);
            providers.add(provider);
            return this;
        }

        /** Registers a listener for checkpoint events. */
        public Builder checkpointListener(CheckpointListener listener) {
            Checks.notNull(listener, "register checkpoint listener", "listener", null);
            listeners.add(listener);
            return this;
        }

        /**
         * The context.
         *
         * @throws CairnException for an unknown {@code cairn.*} option (naming the nearest known
         *                        key), an invalid option value, or a checkpoint dir with an unknown scheme
         */
        public CairnContext build() {
            List<StorageProvider> all = new ArrayList<>(providers);
            all.addAll(StorageRegistry.discover(Thread.currentThread().getContextClassLoader()));
            KnownOptions known = new KnownOptions(all, CairnOptions.of(options));
            options.keySet().forEach(known::check);
            options.keySet().forEach(k -> known.warnIfIneffective(k, LOG));
            if (checkpointDir == null && options.keySet().stream().anyMatch(k -> k.startsWith("cairn.checkpoint."))) {
                LOG.warn("Checkpoint options are set but no checkpoint directory is: reliable checkpoints need one"
                        + " (checkpointDir(...) or setCheckpointDir(...)); until then only local checkpoints work");
            }
            return new CairnContext(this, CairnOptions.of(options));
        }
    }
}
