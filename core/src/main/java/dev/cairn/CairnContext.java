package dev.cairn;

import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointScanner;
import dev.cairn.checkpoint.OrphanSweeper;
import dev.cairn.config.CairnOptions;
import dev.cairn.internal.engine.CollectionNode;
import dev.cairn.internal.engine.EngineContext;
import dev.cairn.internal.engine.MapPartitionsNode;
import dev.cairn.internal.engine.Node;
import dev.cairn.internal.engine.Partitioning;
import dev.cairn.internal.engine.RangeNode;
import dev.cairn.internal.engine.TaskContext;
import dev.cairn.serde.Serializer;
import dev.cairn.serde.Serializers;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.StorageRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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

    private final int parallelism;
    private final EngineContext engine;
    private volatile URI checkpointDir;

    private CairnContext(Builder b, CairnOptions options) {
        this.parallelism = b.parallelism;
        Serializer serializer = Serializers.fromOptions(options);
        dev.cairn.checkpoint.CheckpointOptions.validate(options);
        this.engine = new EngineContext(b.appName, parallelism, options, serializer, b.providers, CairnContext::partitioningOf);
        b.listeners.forEach(engine::addCheckpointListener);
        if (b.checkpointDir != null) {
            try {
                setCheckpointDir(b.checkpointDir);
            } catch (RuntimeException e) {
                engine.close(); // build() fails: no threads or storage clients are left behind
                throw e;
            }
        }
        LOG.info("Started context {} ({}): parallelism {}, serializer {}, storage schemes {}", engine.appName(), engine.contextId(),
                parallelism, serializer.name(), engine.storage().schemes());
    }

    /** The engine's partitioning of a partitioner read from a checkpoint, when it is one of Cairn's. */
    private static Optional<Partitioning> partitioningOf(Object stored) {
        return stored instanceof Partitioner p ? Optional.of(Dataset.partitioning(p)) : Optional.empty();
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
        return new PlainDataset<>(this, new RangeNode(engine, start, end, numPartitions));
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
        return new PlainDataset<>(this, new CollectionNode<>(engine, records, numPartitions));
    }

    /** {@code records} (copied) in {@link #parallelism()} partitions. */
    public <T> Dataset<T> parallelize(List<T> records) {
        return parallelize(records, parallelism);
    }

    /** {@code pairs} (copied) as a keyed dataset in {@code numPartitions} partitions, not partitioned by key. */
    public <K, V> KeyedDataset<K, V> parallelizePairs(List<Pair<K, V>> pairs, int numPartitions) {
        Dataset<Pair<K, V>> records = parallelize(pairs, numPartitions);
        return KeyedDataset.keyed(this, new MapPartitionsNode<Pair<K, V>, Pair<K, V>>(records.node, (p, it) -> it, false,
                "parallelizePairs", KeyedDataset.KIND));
    }

    // ---------------------------------------------------------------- checkpoint directory

    /** Sets where reliable checkpoints go; see {@link Builder#checkpointDir(String)} for the forms accepted. */
    public void setCheckpointDir(String dir) {
        setCheckpointDir(toUri(dir));
    }

    /** Sets where reliable checkpoints go. */
    public void setCheckpointDir(URI dir) {
        checkOpen("set the checkpoint directory");
        this.checkpointDir = resolveLocation(dir);
    }

    /**
     * A location given as a URI ({@code s3://bucket/ckpt}) or a local path ({@code /tmp/ckpt},
     * {@code ckpt}, made absolute), in the canonical form Cairn compares locations in, once a
     * storage of this context is known to serve its scheme.
     *
     * @throws CairnException for an unparsable URI or a scheme no storage serves (naming the served ones)
     */
    public URI resolveLocation(String location) {
        Checks.notNull(location, "resolve location", "location", null);
        return resolveLocation(toUri(location));
    }

    /** {@link #resolveLocation(String)} for a URI; one without a scheme is a local path. */
    public URI resolveLocation(URI location) {
        Checks.notNull(location, "resolve location", "location", null);
        URI uri = location.getScheme() == null ? toUri(location.getPath()) : location;
        return engine.servedLocation(uri, "use location");
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
        return engine.appName();
    }

    /** A random id, unique to this context; reliable checkpoints go under {@code <checkpointDir>/<contextId>/}. */
    public String contextId() {
        return engine.contextId();
    }

    /** Worker threads. */
    public int parallelism() {
        return parallelism;
    }

    /** The options this context was built with ({@code toString} hides secrets). */
    public CairnOptions options() {
        return engine.options();
    }

    /** The name of the serializer checkpoints and spilled blocks use ({@code kryo} or {@code java}). */
    public String serializerName() {
        return engine.serializer().name();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return engine.isClosed();
    }

    EngineContext engine() {
        return engine;
    }

    void checkOpen(String action) {
        engine.checkOpen(action);
    }

    <T, U> List<U> runJob(Node<T> node, int[] partitions, BiFunction<Iterator<T>, TaskContext, U> task) {
        return engine.runJob(node, partitions, task);
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
        Node<T> source = engine.readCheckpoint(resolveLocation(location));
        return new PlainDataset<>(this, source);
    }

    /** {@link #readCheckpoint(URI)} for a location given as a string (URI or local path). */
    public <T> Dataset<T> readCheckpoint(String location) {
        return readCheckpoint(toUri(location));
    }

    /** {@link #readCheckpoint(URI)} as a keyed dataset, keeping the checkpoint's partitioner. */
    public <K, V> KeyedDataset<K, V> readKeyedCheckpoint(URI location) {
        Dataset<Pair<K, V>> pairs = readCheckpoint(location);
        return KeyedDataset.keyed(this, new MapPartitionsNode<Pair<K, V>, Pair<K, V>>(pairs.node, (p, it) -> it, true,
                "readKeyedCheckpoint", KeyedDataset.KIND));
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
        Checks.notNull(location, "delete checkpoint", "location", null);
        engine.deleteCheckpoint(resolveLocation(location));
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
    public OrphanSweeper.Report sweepOrphans(URI checkpointDir, Duration olderThan) {
        checkOpen("sweep " + checkpointDir);
        Checks.notNull(checkpointDir, "sweep orphans", "checkpoint directory", null);
        Checks.notNull(olderThan, "sweep orphans", "age", null);
        return engine.sweepOrphans(resolveLocation(checkpointDir), olderThan);
    }

    /**
     * The checkpoints under {@code directory}, committed or not, as the format's
     * {@link CheckpointScanner} finds them (a checkpoint directory, a context's directory of
     * checkpoints, a run directory). Reads manifests; deletes nothing.
     *
     * @throws CairnException for a scheme no storage serves; a {@link CheckpointIOException} when the store fails
     */
    public CheckpointScanner.Scan scanCheckpoints(URI directory) {
        checkOpen("scan " + directory);
        Checks.notNull(directory, "scan checkpoints", "directory", null);
        return engine.scanCheckpoints(resolveLocation(directory));
    }

    /** Adds a listener for checkpoint events. */
    public void addCheckpointListener(CheckpointListener listener) {
        Checks.notNull(listener, "add checkpoint listener", "listener", null);
        engine.addCheckpointListener(listener);
    }

    /**
     * Stops the workers, frees cached blocks and shuffle outputs, runs the deletions that were
     * waiting for it, and closes the storage backends. Idempotent.
     */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return "CairnContext[" + appName() + ", " + contextId() + "]";
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
            CairnOptions checked = CairnOptions.of(options);
            all.forEach(p -> p.checkOptions(checked));
            options.keySet().forEach(k -> known.warnIfIneffective(k, LOG));
            if (checkpointDir == null && options.keySet().stream().anyMatch(k -> k.startsWith("cairn.checkpoint."))) {
                LOG.warn("Checkpoint options are set but no checkpoint directory is: reliable checkpoints need one"
                        + " (checkpointDir(...) or setCheckpointDir(...)); until then only local checkpoints work");
            }
            return new CairnContext(this, CairnOptions.of(options));
        }
    }
}
