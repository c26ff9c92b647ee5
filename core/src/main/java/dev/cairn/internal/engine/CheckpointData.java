package dev.cairn.internal.engine;

import dev.cairn.CheckpointException;
import dev.cairn.CheckpointIOException;
import dev.cairn.MissingPartException;
import dev.cairn.TaskFailedException;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointSpec;
import dev.cairn.checkpoint.CheckpointStats;
import dev.cairn.checkpoint.CheckpointWriter;
import dev.cairn.checkpoint.PartReceipt;
import dev.cairn.checkpoint.PartWriter;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint of one dataset, from the mark to the cut lineage: NONE → MARKED → IN_PROGRESS →
 * CHECKPOINTED, driven through the engine-neutral format API ({@link CheckpointWriter},
 * {@link PartWriter}, {@link CheckpointReader}).
 *
 * <p><b>Reliable.</b> The first job over the marked dataset starts an <em>attempt</em>: a
 * {@link CheckpointWriter} for the dataset's directory. While the attempt runs, the first task
 * that computes a partition claims it and streams its records into the partition's part file as
 * it hands them on (write-through); its receipt joins the attempt when the part is published. A
 * task that stops early or fails discards its part and gives the claim back. Other jobs over the
 * same dataset join the same attempt: each partition has exactly one writer at a time and one part
 * file. When a job completes, {@link #finish} waits for partitions other jobs are still writing,
 * computes the partitions nobody wrote, and commits once (manifest last), reloads, verifies and
 * cuts the lineage. When the last job of an attempt fails, the attempt is aborted: its parts are
 * removed and the dataset keeps its lineage and its mark; a job that fails while others still run
 * leaves the attempt to them.
 *
 * <p><b>Local.</b> The dataset is persisted ({@code MEMORY_AND_DISK} unless already persisted),
 * so the block store keeps each partition as the first computation produces it;
 * {@link #finish} computes missing blocks and cuts the lineage to a {@link LocalCheckpointSourceNode}.
 *
 * @param <T> record type
 */
public final class CheckpointData<T> {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointData.class);

    private final Node<T> dataset;
    private final EngineContext context;
    private final boolean reliable;
    private final CheckpointTiming timing;
    private final boolean eager;
    /** Whether marking persisted the node (an async checkpoint holds the partitions it uploads); undone after the cut. */
    private final boolean persistedForIt;
    private final Map<String, String> metadata;
    private final URI location;
    private final URI checkpointDir;
    /** Serializes finishing; held while waiting for other jobs' tasks, never by a task. */
    private final ReentrantLock finishing = new ReentrantLock();
    private volatile CheckpointPhase state = CheckpointPhase.MARKED;
    private volatile Attempt attempt;
    private volatile Node<T> source;
    private volatile boolean dirty;
    private volatile long startNanos;

    /** One try at writing the checkpoint, shared by every job that runs while it lasts. */
    private static final class Attempt {
        final CheckpointWriter writer;
        final Map<Integer, PartReceipt> receipts = new ConcurrentHashMap<>();
        /** Partitions being written by a task right now, completed when the task ends. */
        final Map<Integer, CompletableFuture<Void>> writing = new ConcurrentHashMap<>();
        /** Jobs that joined and have not ended; guarded by the CheckpointData's monitor. */
        int activeJobs;
        volatile boolean over;

        Attempt(CheckpointWriter writer) {
            this.writer = writer;
        }
    }

    /**
     * @param dirty whether an earlier attempt of this dataset's checkpoint may have left files in its
     *              directory (the next attempt deletes them first)
     */
    CheckpointData(Node<T> dataset, boolean reliable, CheckpointTiming timing, Map<String, String> metadata, URI checkpointDir,
                   boolean dirty, boolean persistedForIt) {
        this.dirty = dirty;
        this.dataset = dataset;
        this.context = dataset.context();
        this.reliable = reliable;
        this.timing = timing;
        this.eager = timing == CheckpointTiming.EAGER;
        this.persistedForIt = persistedForIt;
        this.metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata)); // keeps the caller's order
        this.checkpointDir = checkpointDir;
        this.location = reliable ? CheckpointLayout.datasetDirectory(checkpointDir, context.contextId(), dataset.id()) : null;
    }

    /** Whether the checkpoint goes to storage (not to the block store). */
    public boolean reliable() {
        return reliable;
    }

    /** Where the checkpoint is. */
    public CheckpointPhase phase() {
        return state;
    }

    /** The checkpoint's directory (reliable checkpoints), else {@code null}. */
    public URI location() {
        return location;
    }

    /** The node the lineage was cut to, once CHECKPOINTED. */
    Node<T> source() {
        return source;
    }

    /** The note {@code lineage()} shows for a marked or finished checkpoint. */
    String lineageNote() {
        String kind = reliable ? "checkpoint" : "local checkpoint";
        if (state != CheckpointPhase.CHECKPOINTED) {
            return kind + " " + state.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
        return reliable ? "checkpointed" : "locally checkpointed";
    }

    private String label() {
        return dataset.toString();
    }

    /**
     * A job over the dataset begins: starts an attempt if none runs, and counts the job in.
     *
     * @return the attempt joined ({@code null} for local checkpoints and finished ones); hand it
     *         back to {@link #jobEnded}
     */
    synchronized Object jobStarted() {
        if (state == CheckpointPhase.CHECKPOINTED) {
            return null;
        }
        if (timing == CheckpointTiming.ASYNC) {
            CheckpointException failed = asyncFailure;
            if (failed != null) {
                asyncFailure = null; // surfaced once; the next action tries again
                throw failed;
            }
            return null; // no write-through: the job computes and holds the partitions
        }
        begin();
        if (attempt != null) {
            attempt.activeJobs++;
        }
        return attempt;
    }

    /** Starts an attempt when marked: called when a job begins, or by an eager checkpoint. */
    private synchronized void begin() {
        if (state != CheckpointPhase.MARKED) {
            return;
        }
        if (reliable) {
            if (dirty) {
                // An earlier attempt of this same checkpoint failed; its directory is ours alone.
                deleteDirectory("remove the files of an earlier failed attempt");
                dirty = false;
            }
            CheckpointSpec spec = CheckpointSpec.builder(location).options(context.options()).dataset(label()).datasetId(dataset.id())
                    .datasetName(dataset.name())
                    .appName(context.appName()).contextId(context.contextId()).serializer(context.serializer().name()).build();
            attempt = new Attempt(CheckpointWriter.create(context.storage(), spec));
            context.listeners().started(label(), location);
        }
        startNanos = System.nanoTime();
        state = CheckpointPhase.IN_PROGRESS;
    }

    /**
     * A job that joined {@code joined} ended. A successful job finishes the checkpoint; a failed
     * one aborts the attempt when no other job still runs in it.
     */
    void jobEnded(Object joined, Throwable failure) {
        if (timing == CheckpointTiming.ASYNC) {
            if (failure == null) {
                launchUpload();
            }
            return;
        }
        if (failure == null) {
            try {
                finish();
            } finally {
                leave(joined, null);
            }
            return;
        }
        leave(joined, failure);
    }

    private synchronized void leave(Object joined, Throwable failure) {
        Attempt a = (Attempt) joined;
        if (a == null) {
            return;
        }
        a.activeJobs--;
        if (failure != null && a.activeJobs == 0 && a == attempt && state == CheckpointPhase.IN_PROGRESS) {
            abort(failure);
        }
    }

    /**
     * Wraps the records of a partition being computed so they are also written to its part file:
     * only while a reliable attempt runs, and only by the task that claims the partition first.
     */
    Iterator<T> writeThrough(int partition, Iterator<T> records, TaskContext task) {
        Attempt a = attempt;
        if (!reliable || a == null || a.over || state != CheckpointPhase.IN_PROGRESS || a.receipts.containsKey(partition)) {
            return records;
        }
        CompletableFuture<Void> claim = new CompletableFuture<>();
        if (a.writing.putIfAbsent(partition, claim) != null) {
            return records; // another task writes this partition now; this one only computes it
        }
        if (a.receipts.containsKey(partition)) {
            // Written meanwhile: its writer published (receipt first) and then gave the claim up.
            a.writing.remove(partition, claim);
            claim.complete(null);
            return records;
        }
        PartWriter writer;
        try {
            writer = a.writer.openPart(partition);
        } catch (RuntimeException e) {
            a.writing.remove(partition, claim);
            claim.complete(null);
            throw e;
        }
        String name = writer.file();
        boolean[] published = {false};
        task.onCompletion(failure -> {
            if (!published[0]) {
                writer.close();
            }
            a.writing.remove(partition, claim);
            claim.complete(null);
        });
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                boolean more = records.hasNext();
                if (!more && !published[0]) {
                    if (task.isStopped()) {
                        throw new CheckpointException("write", label(), location, name,
                                "expected the job to be running, found it failing; a task of a failed job publishes nothing", null);
                    }
                    if (a.over) {
                        throw new CheckpointException("write", label(), location, name,
                                "expected the attempt that started this part to be current, found it over; the part is discarded", null);
                    }
                    PartReceipt receipt = writer.commit();
                    published[0] = true;
                    a.receipts.put(partition, receipt);
                    context.listeners().partWritten(label(), location, receipt.part());
                }
                return more;
            }

            @Override
            public T next() {
                if (task.isStopped()) {
                    throw new CheckpointException("write", label(), location, name,
                            "expected the job to be running, found it failing; the part is discarded", null);
                }
                T record = records.next();
                writer.write(record);
                return record;
            }
        };
    }

    /**
     * Completes the checkpoint now (an eager checkpoint, or the end of a job): computes what is
     * missing, commits, verifies and cuts the lineage. No-op once checkpointed.
     *
     * @throws CheckpointException when it fails; the dataset keeps its lineage
     */
    void finish() {
        if (timing == CheckpointTiming.ASYNC) {
            launchUpload();
            return;
        }
        finishing.lock();
        try {
            if (state == CheckpointPhase.CHECKPOINTED) {
                return;
            }
            Attempt a;
            synchronized (this) {
                begin();
                a = attempt;
                if (a != null) {
                    a.activeJobs++; // this step is a job of the attempt too: nobody aborts it under us
                }
            }
            try {
                if (reliable) {
                    finishReliable(a);
                } else {
                    finishLocal();
                }
            } catch (RuntimeException e) {
                synchronized (this) {
                    if (a != null) {
                        a.activeJobs--;
                    }
                    if (state == CheckpointPhase.IN_PROGRESS && attempt == a) {
                        abort(e);
                    }
                }
                throw eager(e);
            }
            synchronized (this) {
                if (a != null) {
                    a.activeJobs--;
                }
            }
        } finally {
            finishing.unlock();
        }
    }

    /** An eager checkpoint promises a {@link CheckpointException}: a task's failure becomes its cause. */
    private RuntimeException eager(RuntimeException e) {
        if (!eager || e instanceof CheckpointException) {
            return e;
        }
        if (e instanceof TaskFailedException tfe && tfe.getCause() instanceof CheckpointException ce) {
            return ce;
        }
        return new CheckpointException("write", label(), location, null, "expected every partition to be computed, found: "
                + e.getMessage(), e);
    }

    private int[] missingPartitions(IntPredicate have) {
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < dataset.numPartitions(); p++) {
            if (!have.test(p)) {
                missing.add(p);
            }
        }
        return missing.stream().mapToInt(Integer::intValue).toArray();
    }

    private void computeAll(int[] partitions) {
        if (partitions.length == 0) {
            return;
        }
        // Straight to the engine: the caller's job hooks must not finish this checkpoint again.
        context.engine().runJob(dataset, partitions, (it, tc) -> {
            while (it.hasNext()) {
                it.next();
            }
            return null;
        });
    }

    private void finishLocal() {
        computeAll(missingPartitions(p -> context.engine().blockStore().contains(dataset.id(), p)));
        source = new LocalCheckpointSourceNode<>(context, label(), dataset.numPartitions(), dataset.partitioning().orElse(null));
        state = CheckpointPhase.CHECKPOINTED;
        dataset.clearDependencies();
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        Persistence level = dataset.persistence();
        LOG.info("Locally checkpointed {}: {} partitions in the block store at {}, in {} ms", label(), dataset.numPartitions(),
                level == null ? Persistence.MEMORY_AND_DISK : level, took.toMillis());
        context.listeners().verified(label(), null, new CheckpointStats(label(), null, dataset.numPartitions(), -1, -1, took,
                Duration.ZERO, 0));
    }

    /**
     * Writes what no task wrote: waits for the partitions other jobs' tasks are writing, then
     * computes those still without a part, until every partition has one.
     */
    private void writeMissing(Attempt a) {
        int n = dataset.numPartitions();
        while (true) {
            int[] missing = missingPartitions(a.receipts::containsKey);
            if (missing.length == 0) {
                return;
            }
            boolean waited = false;
            for (int p : missing) {
                CompletableFuture<Void> inFlight = a.writing.get(p);
                if (inFlight != null) {
                    await(inFlight);
                    waited = true;
                }
            }
            if (waited) {
                continue; // those tasks may have published, or given their claim back
            }
            computeAll(missing);
            if (missingPartitions(a.receipts::containsKey).length == missing.length && a.writing.isEmpty()) {
                // Nothing was written although nobody else writes: should not happen; fail rather than loop.
                throw new MissingPartException("commit", label(), location, a.writer.spec().partPath(missing[0]),
                        "expected every partition of " + n + " to be written before the commit, found " + missing.length
                                + " unwritten after computing them", null);
            }
        }
    }

    private void await(CompletableFuture<Void> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("commit", label(), location, null,
                    "expected to wait for a part another job is writing, found the thread interrupted", e);
        } catch (ExecutionException e) {
            // the future only ever completes normally
        }
    }

    private void finishReliable(Attempt a) {
        writeMissing(a);
        int n = dataset.numPartitions();
        Serializable partitioner = dataset.partitioning().map(p -> (Serializable) p.partitioner()).orElse(null);
        CheckpointManifest manifest = a.writer.commit(a.receipts.values(), n, partitioner, metadata);
        Duration writeTime = Duration.ofNanos(System.nanoTime() - startNanos);
        context.checkpointCommitted(dataset, checkpointDir, location);
        context.listeners().committed(label(), location, manifest);

        // Committed. From here on a failure leaves the files in place: they are a valid checkpoint
        // that a later readCheckpoint may still read once the store shows them.
        long verifyStart = System.nanoTime();
        CheckpointReader reader;
        try {
            reader = a.writer.reload();
        } catch (RuntimeException e) {
            // This attempt is over: a retry deletes the files and writes every part again.
            synchronized (this) {
                a.over = true;
                resetForRetry();
            }
            context.listeners().failed(label(), location, e);
            throw e;
        }
        source = context.sourceOf(reader);
        synchronized (this) {
            a.over = true;
            attempt = null;
            state = CheckpointPhase.CHECKPOINTED;
        }
        dataset.clearDependencies();
        CheckpointStats stats = new CheckpointStats(label(), location, n, manifest.totalRecords(), manifest.totalBytes(), writeTime,
                Duration.ofNanos(System.nanoTime() - verifyStart), reader.listings());
        LOG.info(stats.summary());
        context.listeners().verified(label(), location, stats);
    }

    /** Undoes an attempt that failed before its commit: removes its parts; the dataset keeps its lineage. */
    private synchronized void abort(Throwable cause) {
        Attempt a = attempt;
        resetForRetry();
        if (!reliable || a == null) {
            return;
        }
        a.over = true;
        context.listeners().failed(label(), location, cause);
        try {
            a.writer.abort();
            dirty = false;
            LOG.warn("Checkpoint of {} to {} failed and its parts were removed; the dataset keeps its lineage: {}", label(), location,
                    cause.toString());
        } catch (CheckpointException e) {
            LOG.warn("Checkpoint of {} to {} failed, and its parts could not be removed ({}); the next attempt removes them, or"
                    + " CairnContext.sweepOrphans; the dataset keeps its lineage: {}", label(), location, e.getMessage(), cause.toString());
        }
    }

    /** Back to MARKED (lazy) or NONE (eager) with nothing written, so that the next attempt starts over. */
    private void resetForRetry() {
        attempt = null;
        state = eager ? CheckpointPhase.NONE : CheckpointPhase.MARKED;
        dirty = reliable;
    }

    /** Whether an attempt failed and may have left files behind. */
    boolean dirty() {
        return dirty;
    }

    private void deleteDirectory(String why) {
        try {
            context.storage().storageFor(location).delete(location);
        } catch (IOException e) {
            throw new CheckpointIOException("write", label(), location, null, "expected to " + why + ", found an error: " + e, e);
        }
    }

    // ---------------------------------------------------------------- asynchronous checkpoints

    /** The running upload of an async checkpoint; completes with the location, or exceptionally. */
    private volatile CompletableFuture<URI> upload;
    /** An async failure not surfaced yet: the next job over the dataset throws it. */
    private volatile CheckpointException asyncFailure;
    /** Set to stop an upload (the context closes). */
    private volatile boolean uploadStopped;

    /**
     * Starts an async checkpoint after the job that materialized the dataset: computes the
     * partitions that job did not (so every one is held when the action returns), then writes,
     * commits and verifies in the background; the lineage is cut when the commit is verified.
     */
    private void launchUpload() {
        synchronized (this) {
            if (state != CheckpointPhase.MARKED) {
                return; // uploading or done
            }
            state = CheckpointPhase.IN_PROGRESS;
            startNanos = System.nanoTime();
        }
        try {
            computeAll(missingPartitions(p -> context.engine().blockStore().contains(dataset.id(), p)));
        } catch (RuntimeException e) {
            synchronized (this) {
                state = CheckpointPhase.MARKED;
            }
            throw e;
        }
        long turn = context.asyncCheckpoints().nextTurn();
        CompletableFuture<URI> done = new CompletableFuture<>();
        upload = done;
        context.asyncCheckpoints().run(this, turn, () -> uploadAll(turn, done));
    }

    /** The background part of an async checkpoint; always completes {@code done} and ends its turn. */
    private void uploadAll(long turn, CompletableFuture<URI> done) {
        AsyncCheckpoints async = context.asyncCheckpoints();
        CheckpointWriter writer = null;
        boolean committed = false;
        try {
            if (dirty) {
                deleteDirectory("remove the files of an earlier failed attempt");
                dirty = false;
            }
            CheckpointSpec spec = CheckpointSpec.builder(location).options(context.options()).dataset(label()).datasetId(dataset.id())
                    .datasetName(dataset.name()).appName(context.appName()).contextId(context.contextId())
                    .serializer(context.serializer().name()).build();
            writer = CheckpointWriter.create(context.storage(), spec);
            context.listeners().started(label(), location);
            CheckpointWriter w = writer;
            List<PartReceipt> receipts = async.forEachPartition(dataset.numPartitions(), p -> uploadPart(w, p));
            async.awaitTurn(turn); // commits happen in the order the uploads started
            if (uploadStopped) {
                throw new CheckpointException("commit", label(), location, null, "expected the upload to run, found the context"
                        + " closing before the commit; nothing is committed and the parts are removed", null);
            }
            int n = dataset.numPartitions();
            Serializable partitioner = dataset.partitioning().map(p -> (Serializable) p.partitioner()).orElse(null);
            CheckpointManifest manifest = writer.commit(receipts, n, partitioner, metadata);
            committed = true;
            Duration writeTime = Duration.ofNanos(System.nanoTime() - startNanos);
            context.checkpointCommitted(dataset, checkpointDir, location);
            context.listeners().committed(label(), location, manifest);
            long verifyStart = System.nanoTime();
            CheckpointReader reader = writer.reload();
            synchronized (this) {
                source = context.sourceOf(reader);
                state = CheckpointPhase.CHECKPOINTED;
            }
            dataset.clearDependencies();
            if (persistedForIt) {
                dataset.unpersist(); // the files hold it now
            }
            CheckpointStats stats = new CheckpointStats(label(), location, n, manifest.totalRecords(), manifest.totalBytes(), writeTime,
                    Duration.ofNanos(System.nanoTime() - verifyStart), reader.listings());
            LOG.info("{} (in the background)", stats.summary());
            context.listeners().verified(label(), location, stats);
            done.complete(location);
        } catch (RuntimeException e) {
            CheckpointException failure = e instanceof CheckpointException ce ? ce : new CheckpointException("write", label(), location,
                    null, "expected the background checkpoint to be written, found: " + e, e);
            String removed = "";
            if (writer != null && !committed) {
                try {
                    writer.abort();
                    removed = " its parts were removed;";
                } catch (CheckpointException abortFailure) {
                    failure.addSuppressed(abortFailure);
                    removed = " its parts could not be removed (" + abortFailure.getMessage() + ");";
                }
            }
            synchronized (this) {
                state = CheckpointPhase.MARKED;
                dirty = true;
                asyncFailure = failure;
            }
            LOG.warn("Background checkpoint of {} to {} failed;{} the dataset keeps its lineage and the next action over it"
                    + " reports the failure: {}", label(), location, removed, failure.getMessage());
            context.listeners().failed(label(), location, failure);
            done.completeExceptionally(failure);
        } finally {
            async.endTurn(turn);
        }
    }

    /** Writes one partition from the block store (or, if it is gone, from the lineage) into its part. */
    private PartReceipt uploadPart(CheckpointWriter writer, int partition) {
        TaskContext task = context.engine().backgroundTask(partition, () -> uploadStopped);
        Throwable failure = null;
        try (PartWriter part = writer.openPart(partition)) {
            Iterator<T> records = dataset.iterator(partition, task);
            while (records.hasNext()) {
                if (uploadStopped) {
                    throw new CheckpointException("write", label(), location, part.file(), "expected the upload to run, found"
                            + " the context closing; the part is discarded", null);
                }
                part.write(records.next());
            }
            PartReceipt receipt = part.commit();
            context.listeners().partWritten(label(), location, receipt.part());
            return receipt;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            task.complete(failure);
        }
    }

    /** Stops a running upload (the context closes and its wait ran out): parts are discarded, nothing is committed. */
    void stopUpload() {
        uploadStopped = true;
    }

    /** The running upload, or {@code null}. */
    CompletableFuture<URI> runningUpload() {
        CompletableFuture<URI> u = upload;
        return u == null || u.isDone() ? null : u;
    }

    /**
     * Waits for the checkpoint: returns its location once committed and verified.
     *
     * @param timeout how long to wait; {@code null} for as long as it takes
     * @return the location, or empty when the timeout passed first
     * @throws CheckpointException the background checkpoint's failure
     * @throws dev.cairn.CairnException when there is nothing to wait for
     */
    java.util.Optional<URI> await(Duration timeout) {
        if (state == CheckpointPhase.CHECKPOINTED) {
            return java.util.Optional.ofNullable(location);
        }
        CheckpointException failed = takeAsyncFailure();
        if (failed != null) {
            throw failed;
        }
        CompletableFuture<URI> u = upload;
        if (timing != CheckpointTiming.ASYNC || u == null || state == CheckpointPhase.MARKED) {
            throw new dev.cairn.CairnException("Cannot wait for the checkpoint of dataset " + label() + ": " + location
                    + " (expected a checkpoint committed or being written in the background, found it " + state
                    + (timing == CheckpointTiming.ASYNC ? "; run an action over the dataset first" : "; only ASYNC checkpoints run"
                    + " in the background") + ")");
        }
        try {
            return java.util.Optional.of(timeout == null ? u.get() : u.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS));
        } catch (java.util.concurrent.TimeoutException e) {
            return java.util.Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("wait for", label(), location, null, "expected the background checkpoint to finish,"
                    + " found the waiting thread interrupted", e);
        } catch (ExecutionException e) {
            takeAsyncFailure(); // surfaced here: the next action runs (and tries again)
            throw e.getCause() instanceof CheckpointException ce ? ce : new CheckpointException("write", label(), location, null,
                    "expected the background checkpoint to be written, found: " + e.getCause(), e.getCause());
        }
    }

    /** The failure not surfaced yet, which this call surfaces (once: by a wait or by the next action). */
    private synchronized CheckpointException takeAsyncFailure() {
        CheckpointException f = asyncFailure;
        asyncFailure = null;
        return f;
    }
}
