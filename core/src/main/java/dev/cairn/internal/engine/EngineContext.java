package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointScanner;
import dev.cairn.checkpoint.CheckpointWriter;
import dev.cairn.checkpoint.OrphanSweeper;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Serializer;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.StorageRegistry;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's half of a {@code CairnContext}: the worker pool and stores ({@link Engine}), the
 * storage backends, the serializer, and the checkpoint bookkeeping — which jobs write which
 * checkpoints, which locations live datasets read, what to delete when. The public context
 * delegates here; nothing here knows the public API's types.
 *
 * <p>Thread-safe.
 */
public final class EngineContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngineContext.class);

    /** Where persisted blocks spill; default: {@code java.io.tmpdir}. */
    public static final String SPILL_DIR = "cairn.spill.dir";
    /** Delete this context's checkpoints when it closes; default {@code false}. */
    public static final String CLEANUP_ON_CLOSE = "cairn.checkpoint.cleanup-on-close";
    /** Delete a checkpoint once its dataset is garbage collected; default {@code false}. */
    public static final String CLEANUP_ON_GC = "cairn.checkpoint.cleanup-on-gc";

    private final String appName;
    private final String contextId = UUID.randomUUID().toString();
    private final CairnOptions options;
    private final Serializer serializer;
    private final StorageRegistry storage;
    private final Engine engine;
    private final boolean cleanupOnClose;
    private final boolean cleanupOnGc;
    private final Function<Object, Optional<Partitioning>> partitioningOf;
    private final AsyncCheckpoints async;
    private final CheckpointListeners listeners = new CheckpointListeners();
    private final AtomicInteger nextDatasetId = new AtomicInteger();
    /** Context directories this context committed checkpoints under, for cleanup-on-close. */
    private final Set<URI> contextDirs = ConcurrentHashMap.newKeySet();
    /** Checkpoint locations and the live nodes that read them; a location with a live reader is not deleted. */
    private final Map<URI, List<WeakReference<Node<?>>>> readers = new ConcurrentHashMap<>();
    /** Checkpoints to delete once their node is unreachable, or on close. */
    private final Set<URI> pendingDeletes = ConcurrentHashMap.newKeySet();
    /**
     * Held while a pending deletion runs, by the cleaner thread or by {@link #close()}: close waits
     * for a deletion the cleaner has started before it closes the storage, so that no deletion is cut
     * off half-way (manifest gone, parts left) by the storage closing or the JVM exiting.
     */
    private final Object deletionLock = new Object();
    private volatile boolean closed;

    /**
     * @param appName        for logs, thread names and manifests
     * @param parallelism    worker threads
     * @param options        the context's options (already checked)
     * @param serializer     for checkpoints and spilled blocks
     * @param providers      storage providers registered explicitly
     * @param partitioningOf turns a partitioner read from a checkpoint into a partitioning
     */
    public EngineContext(String appName, int parallelism, CairnOptions options, Serializer serializer,
                         Collection<StorageProvider> providers, Function<Object, Optional<Partitioning>> partitioningOf) {
        this.appName = appName;
        this.options = options;
        this.serializer = serializer;
        this.partitioningOf = partitioningOf;
        this.cleanupOnClose = options.getBoolean(CLEANUP_ON_CLOSE, false);
        this.cleanupOnGc = options.getBoolean(CLEANUP_ON_GC, false);
        this.storage = StorageRegistry.create(options, providers, Thread.currentThread().getContextClassLoader());
        Path spill = Path.of(options.getString(SPILL_DIR, System.getProperty("java.io.tmpdir")));
        this.engine = new Engine(appName, parallelism, serializer, spill);
        this.async = new AsyncCheckpoints(appName, options.getInt(AsyncCheckpoints.THREADS, 4),
                options.getDuration(AsyncCheckpoints.CLOSE_TIMEOUT, Duration.ofSeconds(60)));
    }

    /** The background side of asynchronous checkpoints. */
    public AsyncCheckpoints asyncCheckpoints() {
        return async;
    }

    /** The application name. */
    public String appName() {
        return appName;
    }

    /** A random id, unique to this context. */
    public String contextId() {
        return contextId;
    }

    /** The options. */
    public CairnOptions options() {
        return options;
    }

    /** The serializer. */
    public Serializer serializer() {
        return serializer;
    }

    /** The storage backends. */
    public StorageRegistry storage() {
        return storage;
    }

    /** The job runner and its stores. */
    public Engine engine() {
        return engine;
    }

    /** The checkpoint listeners, as one. */
    CheckpointListener listeners() {
        return listeners;
    }

    /** Adds a listener for checkpoint events. */
    public void addCheckpointListener(CheckpointListener listener) {
        listeners.add(listener);
    }

    int nextDatasetId() {
        return nextDatasetId.getAndIncrement();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Fails when closed. */
    public void checkOpen(String action) {
        if (closed) {
            throw new CairnException("Cannot " + action + ": context '" + appName + "' (" + contextId
                    + ") is closed (expected an open context; build a new one)");
        }
    }

    /** The canonical form of {@code location} once its scheme is known to have a storage. */
    public URI servedLocation(URI location, String verb) {
        URI uri = CheckpointLayout.normalize(location);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!storage.schemes().contains(scheme)) {
            throw new CairnException("Cannot " + verb + ": " + uri + " (expected a URI whose scheme is one of " + storage.schemes()
                    + ", found '" + uri.getScheme() + "'; add the storage module that serves it)");
        }
        storage.checkLocation(uri);
        return uri;
    }

    // ---------------------------------------------------------------- jobs

    /**
     * Runs a job, writing through the checkpoints marked in the node's lineage, and completes
     * those checkpoints (ancestors first) once the job has succeeded.
     */
    public <T, U> List<U> runJob(Node<T> node, int[] partitions, BiFunction<Iterator<T>, TaskContext, U> task) {
        checkOpen("run a job on dataset " + node);
        List<CheckpointData<?>> marked = markedInLineage(node);
        List<Object> joined = new ArrayList<>(marked.size());
        List<U> results;
        try {
            for (CheckpointData<?> cp : marked) {
                joined.add(cp.jobStarted());
            }
            results = engine.runJob(node, partitions, task);
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

    /** Writes every checkpoint marked in {@code node}'s lineage now (an eager checkpoint). */
    public void completeCheckpoints(Node<?> node) {
        checkOpen("checkpoint dataset " + node);
        for (CheckpointData<?> cp : markedInLineage(node)) {
            cp.finish();
        }
    }

    /** The checkpoints marked and not yet committed in a lineage, ancestors before descendants. */
    private static List<CheckpointData<?>> markedInLineage(Node<?> node) {
        List<CheckpointData<?>> found = new ArrayList<>();
        collectMarked(node, new HashSet<>(), found);
        return found;
    }

    private static void collectMarked(Node<?> node, Set<Integer> visited, List<CheckpointData<?>> found) {
        if (!visited.add(node.id())) {
            return;
        }
        for (Dependency d : node.dependencies()) {
            collectMarked(d.parent(), visited, found);
        }
        CheckpointData<?> cp = node.checkpointData();
        if (cp != null && (cp.phase() == CheckpointPhase.MARKED || cp.phase() == CheckpointPhase.IN_PROGRESS)) {
            found.add(cp);
        }
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Marks {@code node} for a reliable checkpoint into {@code checkpointDir}, or (when
     * {@code checkpointDir} is {@code null}) for a local one; writes it now when eager.
     *
     * @throws CairnException when the node is marked for the other kind
     */
    public <T> void markCheckpoint(Node<T> node, boolean reliable, CheckpointTiming timing, Map<String, String> metadata,
                                   URI checkpointDir) {
        checkOpen("checkpoint dataset " + node);
        boolean eager = timing == CheckpointTiming.EAGER;
        synchronized (node) {
            CheckpointData<T> cp = node.checkpointData();
            if (cp != null && cp.phase() != CheckpointPhase.NONE) {
                if (cp.reliable() != reliable) {
                    throw new CairnException("Cannot " + (reliable ? "" : "locally ") + "checkpoint dataset " + node
                            + " (expected it unmarked, found it marked for a " + (reliable ? "local" : "reliable")
                            + " checkpoint; use one kind of checkpoint per dataset)");
                }
                if (!eager || cp.phase() == CheckpointPhase.CHECKPOINTED) {
                    return;
                }
            } else {
                // A local checkpoint lives in the block store; an async one uploads from it.
                boolean persist = (!reliable || timing == CheckpointTiming.ASYNC) && node.persistence() == null;
                if (persist) {
                    node.persist(Persistence.MEMORY_AND_DISK);
                }
                boolean dirty = cp != null && cp.dirty(); // a failed eager attempt may have left a committed manifest
                node.setCheckpoint(new CheckpointData<>(node, reliable, timing, metadata, checkpointDir, dirty, persist && reliable));
            }
        }
        if (eager) {
            completeCheckpoints(node);
        }
    }

    /**
     * Waits for a node's checkpoint (see {@link CheckpointData#await}).
     *
     * @throws CairnException when the node is not marked
     */
    public Optional<URI> awaitCheckpoint(Node<?> node, Duration timeout) {
        CheckpointData<?> cp = node.checkpointData();
        if (cp == null || cp.phase() == CheckpointPhase.NONE) {
            throw new CairnException("Cannot wait for the checkpoint of dataset " + node + " (expected a checkpoint, found none;"
                    + " mark it with checkpoint(CheckpointMode.ASYNC))");
        }
        return cp.await(timeout);
    }

    /**
     * Gives up a node's checkpoint: a mark is removed; a committed reliable checkpoint is deleted
     * once the node is garbage collected, or when the context closes.
     *
     * @throws CairnException while the checkpoint is being written
     */
    public void deleteCheckpoint(Node<?> node) {
        CheckpointData<?> cp;
        synchronized (node) {
            cp = node.checkpointData();
            if (cp == null || cp.phase() == CheckpointPhase.NONE) {
                return;
            }
            if (cp.phase() == CheckpointPhase.MARKED) {
                node.setCheckpoint(null);
                return;
            }
            if (cp.phase() == CheckpointPhase.IN_PROGRESS) {
                throw new CairnException("Cannot delete the checkpoint of dataset " + node + ": " + cp.location()
                        + " (expected a marked or committed checkpoint, found it being written; delete it after the action completes)");
            }
        }
        if (cp.reliable()) {
            deleteWhenUnreachable(node, cp.location());
        }
    }

    /** A committed checkpoint, written by this or any earlier context, as a source node. */
    public <T> CheckpointSourceNode<T> readCheckpoint(URI location) {
        checkOpen("read checkpoint " + location);
        URI loc = CheckpointLayout.normalize(location);
        CheckpointReader reader = CheckpointReader.open(storage, loc, options);
        CheckpointSourceNode<T> node = new CheckpointSourceNode<>(this, reader, partitioningOf);
        addReader(loc, node);
        return node;
    }

    /** The source node of a checkpoint this context just committed and verified. */
    <T> CheckpointSourceNode<T> sourceOf(CheckpointReader reader) {
        return new CheckpointSourceNode<>(this, reader, partitioningOf);
    }

    /**
     * Deletes a checkpoint directory now.
     *
     * @throws CairnException when a live dataset of this context still reads it
     */
    public void deleteCheckpoint(URI location) {
        checkOpen("delete checkpoint " + location);
        URI loc = CheckpointLayout.normalize(location);
        Optional<Node<?>> live = liveReader(loc);
        if (live.isPresent()) {
            throw new CairnException("Cannot delete checkpoint " + loc + " (expected no live dataset reading it, found " + live.get()
                    + "; drop the references to it, or call its deleteCheckpoint() to delete the files once it is garbage collected)");
        }
        CheckpointWriter.delete(storage, loc);
        readers.remove(loc);
        LOG.info("Deleted checkpoint {}", loc);
    }

    private Optional<Node<?>> liveReader(URI location) {
        List<WeakReference<Node<?>>> refs = readers.get(location);
        if (refs != null) {
            synchronized (refs) {
                for (WeakReference<Node<?>> r : refs) {
                    Node<?> d = r.get();
                    if (d != null) {
                        return Optional.of(d);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private void addReader(URI location, Node<?> reader) {
        List<WeakReference<Node<?>>> refs = readers.computeIfAbsent(location, k -> new ArrayList<>());
        synchronized (refs) {
            refs.removeIf(r -> r.get() == null);
            refs.add(new WeakReference<>(reader));
        }
    }

    /** Bookkeeping when a checkpoint commits: who reads it, and what to clean up later. */
    void checkpointCommitted(Node<?> node, URI checkpointDir, URI location) {
        contextDirs.add(CheckpointLayout.contextDirectory(checkpointDir, contextId));
        addReader(location, node);
        if (cleanupOnGc) {
            deleteWhenUnreachable(node, location);
        }
    }

    /** Deletes {@code location} once {@code node} is garbage collected, or when this context closes. */
    void deleteWhenUnreachable(Node<?> node, URI location) {
        if (closed || !pendingDeletes.add(location)) {
            return;
        }
        StorageRegistry registry = storage;
        Set<URI> pending = pendingDeletes;
        Object lock = deletionLock; // not `this`: the cleaner's task must not keep the context reachable
        engine.whenUnreachable(node, () -> {
            synchronized (lock) {
                if (pending.remove(location)) {
                    deleteQuietly(registry, location);
                }
            }
        });
    }

    private static void deleteQuietly(StorageRegistry registry, URI location) {
        try {
            CheckpointWriter.delete(registry, location);
            LOG.info("Deleted checkpoint {}", location);
        } catch (RuntimeException e) {
            LOG.warn("Cannot delete checkpoint {}: {}", location, e.toString());
        }
    }

    /** The orphan sweep of {@code dir}, sparing this context's own directory. */
    public OrphanSweeper.Report sweepOrphans(URI dir, Duration olderThan) {
        checkOpen("sweep " + dir);
        URI mine = CheckpointLayout.contextDirectory(dir, contextId);
        String minePrefix = mine.toString() + "/";
        return OrphanSweeper.sweep(storage, dir, options, olderThan, location -> location.toString().startsWith(minePrefix), false);
    }

    /** The checkpoints under {@code dir}. */
    public CheckpointScanner.Scan scanCheckpoints(URI dir) {
        checkOpen("scan " + dir);
        return CheckpointScanner.scan(storage, dir, options);
    }

    /** Stops the workers, frees blocks and shuffle outputs, runs pending deletions, closes the storage. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        async.close(); // before closing: an upload that finishes now still commits and cuts its lineage
        closed = true;
        try {
            engine.close();
            synchronized (deletionLock) { // waits for a deletion the cleaner is running
                for (URI location : new ArrayList<>(pendingDeletes)) {
                    if (pendingDeletes.remove(location)) {
                        deleteQuietly(storage, location);
                    }
                }
            }
            if (cleanupOnClose) {
                for (URI dir : contextDirs) {
                    // <checkpointDir>/<this context's id>: a directory of this context's own checkpoints
                    try {
                        storage.storageFor(dir).delete(dir);
                        LOG.info("Deleted this context's checkpoints {}", dir);
                    } catch (java.io.IOException | RuntimeException e) {
                        LOG.warn("Cannot delete this context's checkpoints {}: {}", dir, e.toString());
                    }
                }
            }
        } finally {
            storage.close();
        }
        LOG.info("Closed context {} ({})", appName, contextId);
    }
}
