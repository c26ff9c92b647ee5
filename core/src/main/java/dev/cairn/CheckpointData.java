package dev.cairn;

import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointSpec;
import dev.cairn.checkpoint.CheckpointStats;
import dev.cairn.checkpoint.CheckpointWriter;
import dev.cairn.checkpoint.PartReceipt;
import dev.cairn.checkpoint.PartWriter;
import dev.cairn.exec.LocalCheckpointDataset;
import dev.cairn.exec.ReliableCheckpointDataset;
import dev.cairn.exec.TaskContext;
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
 * {@link #finish} computes missing blocks and cuts the lineage to a {@link LocalCheckpointDataset}.
 */
final class CheckpointData<T> {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointData.class);

    private final Dataset<T> dataset;
    private final CairnContext context;
    private final boolean reliable;
    private final CheckpointMode mode;
    private final Map<String, String> metadata;
    private final URI location;
    private final URI checkpointDir;
    /** Serializes finishing; held while waiting for other jobs' tasks, never by a task. */
    private final ReentrantLock finishing = new ReentrantLock();
    private volatile CheckpointState state = CheckpointState.MARKED;
    private volatile Attempt attempt;
    private volatile Dataset<T> source;
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
    CheckpointData(Dataset<T> dataset, boolean reliable, CheckpointMode mode, Map<String, String> metadata, URI checkpointDir,
                   boolean dirty) {
        this.dirty = dirty;
        this.dataset = dataset;
        this.context = dataset.context();
        this.reliable = reliable;
        this.mode = mode;
        this.metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata)); // keeps the caller's order
        this.checkpointDir = checkpointDir;
        this.location = reliable ? CheckpointLayout.datasetDirectory(checkpointDir, context.contextId(), dataset.id()) : null;
    }

    boolean reliable() {
        return reliable;
    }

    CheckpointState state() {
        return state;
    }

    URI location() {
        return location;
    }

    /** The dataset the lineage was cut to, once CHECKPOINTED. */
    Dataset<T> source() {
        return source;
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
        if (state == CheckpointState.CHECKPOINTED) {
            return null;
        }
        begin();
        if (attempt != null) {
            attempt.activeJobs++;
        }
        return attempt;
    }

    /** Starts an attempt when marked: called when a job begins, or by an eager checkpoint. */
    private synchronized void begin() {
        if (state != CheckpointState.MARKED) {
            return;
        }
        if (reliable) {
            if (dirty) {
                // An earlier attempt of this same checkpoint failed; its directory is ours alone.
                deleteDirectory("remove the files of an earlier failed attempt");
                dirty = false;
            }
            CheckpointSpec spec = CheckpointSpec.builder(location).options(context.options()).dataset(label()).datasetId(dataset.id())
                    .datasetName(dataset.name().orElse(null))
                    .appName(context.appName()).contextId(context.contextId()).serializer(context.serializer().name()).build();
            attempt = new Attempt(CheckpointWriter.create(context.storage(), spec));
            context.listeners().started(label(), location);
        }
        startNanos = System.nanoTime();
        state = CheckpointState.IN_PROGRESS;
    }

    /**
     * A job that joined {@code joined} ended. A successful job finishes the checkpoint; a failed
     * one aborts the attempt when no other job still runs in it.
     */
    void jobEnded(Object joined, Throwable failure) {
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
        if (failure != null && a.activeJobs == 0 && a == attempt && state == CheckpointState.IN_PROGRESS) {
            abort(failure);
        }
    }

    /**
     * Wraps the records of a partition being computed so they are also written to its part file:
     * only while a reliable attempt runs, and only by the task that claims the partition first.
     */
    Iterator<T> writeThrough(int partition, Iterator<T> records, TaskContext task) {
        Attempt a = attempt;
        if (!reliable || a == null || a.over || state != CheckpointState.IN_PROGRESS || a.receipts.containsKey(partition)) {
            return records;
        }
        CompletableFuture<Void> claim = new CompletableFuture<>();
        if (a.writing.putIfAbsent(partition, claim) != null) {
            return records; // another task writes this partition now; this one only computes it
        }
        PartWriter writer;
        try {
            writer = a.writer.openPart(partition);
        } catch (RuntimeException e) {
            a.writing.remove(partition, claim);
            claim.complete(null);
            throw e;
        }
        String name = CheckpointManifest.partName(partition);
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
        finishing.lock();
        try {
            if (state == CheckpointState.CHECKPOINTED) {
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
                    if (state == CheckpointState.IN_PROGRESS && attempt == a) {
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
        if (mode != CheckpointMode.EAGER || e instanceof CheckpointException) {
            return e;
        }
        if (e instanceof TaskFailedException tfe && tfe.getCause() instanceof CheckpointException ce) {
            return ce;
        }
        return new CheckpointException("write", label(), location, null, "expected every partition to be computed, found: "
                + e.getMessage(), e);
    }

    private int[] missingPartitions(java.util.function.IntPredicate have) {
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
        source = new LocalCheckpointDataset<>(context, label(), dataset.numPartitions(), dataset.partitioner().orElse(null));
        state = CheckpointState.CHECKPOINTED;
        dataset.clearDependencies();
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        LOG.info("Locally checkpointed {}: {} partitions in the block store at {}, in {} ms", label(), dataset.numPartitions(),
                dataset.storageLevel().orElse(StorageLevel.MEMORY_AND_DISK), took.toMillis());
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
                throw new MissingPartException("commit", label(), location, CheckpointManifest.partName(missing[0]),
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
        Partitioner partitioner = dataset.partitioner().orElse(null);
        CheckpointManifest manifest = a.writer.commit(a.receipts.values(), n, (Serializable) partitioner, metadata);
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
        source = new ReliableCheckpointDataset<>(context, reader, context.storage());
        synchronized (this) {
            a.over = true;
            attempt = null;
            state = CheckpointState.CHECKPOINTED;
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
        state = mode == CheckpointMode.EAGER ? CheckpointState.NONE : CheckpointState.MARKED;
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
}
