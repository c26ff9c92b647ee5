package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import dev.cairn.TaskFailedException;
import dev.cairn.serde.Serializer;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs: before computing the requested partitions of a dataset, it runs the map stage of
 * every shuffle in the dataset's lineage that has no output yet, parents first; then it computes
 * the partitions in parallel on a fixed pool of worker threads, one task per partition.
 *
 * <p>A job started from inside a task (a user function calling an action) runs its tasks on the
 * calling worker thread, one after another, so that nested jobs cannot deadlock the pool.
 *
 * <p>Thread-safe: several threads may run jobs on one engine at once.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    private static final ThreadLocal<Boolean> ON_WORKER = ThreadLocal.withInitial(() -> false);
    /** One cleaner thread for the JVM, not one per context: contexts come and go, the thread would linger. */
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "cairn-cleaner");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final int parallelism;
    private final ExecutorService workers;
    private final ShuffleStore shuffles = new ShuffleStore();
    private final BlockStore blocks;
    private final AtomicInteger nextShuffleId = new AtomicInteger();
    private final Map<Integer, Object> shuffleLocks = new ConcurrentHashMap<>();

    /**
     * @param name        used in worker thread names
     * @param parallelism worker threads
     * @param serializer  for blocks spilled to disk
     * @param spillRoot   where blocks spill
     */
    public Engine(String name, int parallelism, Serializer serializer, Path spillRoot) {
        this.name = name;
        this.parallelism = parallelism;
        this.blocks = new BlockStore(serializer, spillRoot);
        AtomicInteger threadNo = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(() -> {
                ON_WORKER.set(true);
                r.run();
            }, "cairn-" + name + "-worker-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.workers = Executors.newFixedThreadPool(parallelism, factory);
    }

    /** Worker threads. */
    public int parallelism() {
        return parallelism;
    }

    /** The block store of persisted partitions. */
    public BlockStore blockStore() {
        return blocks;
    }

    /** The shuffle outputs. */
    public ShuffleStore shuffleStore() {
        return shuffles;
    }

    /** A new id for a shuffle dependency. */
    public int newShuffleId() {
        return nextShuffleId.getAndIncrement();
    }

    /**
     * A new shuffle of {@code parent} by {@code partitioning}, whose output is dropped once
     * {@code reader} (the node reading it) is garbage collected.
     */
    public <K, V, C> ShuffleDependency<K, V, C> newShuffle(Object reader, Node<?> parent, Partitioning partitioning,
                                                          Aggregator<V, C> aggregator, Records<K, V, C> records) {
        ShuffleDependency<K, V, C> dep = new ShuffleDependency<>(parent, partitioning, aggregator, records.keyOf(), records.valueOf(),
                records.output(), newShuffleId());
        int shuffleId = dep.shuffleId();
        ShuffleStore store = shuffles;
        whenUnreachable(reader, () -> store.remove(shuffleId));
        return dep;
    }

    /**
     * Runs {@code cleanup} once {@code owner} has been garbage collected. The action must not
     * refer to {@code owner}.
     */
    public void whenUnreachable(Object owner, Runnable cleanup) {
        CLEANER.register(owner, cleanup);
    }

    /**
     * Computes the given partitions of {@code dataset} and applies {@code task} to each
     * partition's records, in parallel; returns the results in the order of {@code partitions}.
     *
     * @throws TaskFailedException naming the dataset and partition of the first task that failed
     */
    public <T, U> List<U> runJob(Node<T> dataset, int[] partitions, BiFunction<Iterator<T>, TaskContext, U> task) {
        runMissingShuffles(dataset, new HashSet<>());
        List<TaskSpec<U>> specs = new ArrayList<>(partitions.length);
        for (int p : partitions) {
            specs.add(new TaskSpec<>(dataset, p, tc -> task.apply(dataset.iterator(tc.partition(), tc), tc)));
        }
        return runTasks(specs);
    }

    /** Runs the map stages of {@code dataset}'s lineage that have no output yet, parents first. */
    private void runMissingShuffles(Node<?> dataset, Set<Integer> visited) {
        if (!visited.add(dataset.id())) {
            return;
        }
        if (dataset.persistence() != null && blocks.storedPartitions(dataset.id()) == dataset.numPartitions()) {
            return; // every partition is cached: nothing below it will be computed
        }
        for (Dependency dep : dataset.dependencies()) {
            if (dep instanceof ShuffleDependency<?, ?, ?> shuffle) {
                if (!shuffles.isComplete(shuffle.shuffleId())) {
                    runMissingShuffles(shuffle.parent(), visited);
                    runMapStage(shuffle);
                }
            } else {
                runMissingShuffles(dep.parent(), visited);
            }
        }
    }

    private <K, V, C> void runMapStage(ShuffleDependency<K, V, C> dep) {
        synchronized (shuffleLocks.computeIfAbsent(dep.shuffleId(), id -> new Object())) {
            if (shuffles.isComplete(dep.shuffleId())) {
                return;
            }
            Node<?> parent = dep.parent();
            int maps = parent.numPartitions();
            long start = System.nanoTime();
            ShuffleStore.Output out = shuffles.begin(dep.shuffleId(), maps);
            List<TaskSpec<Void>> specs = new ArrayList<>(maps);
            for (int m = 0; m < maps; m++) {
                final int map = m;
                specs.add(new TaskSpec<>(parent, m, tc -> {
                    out.buckets[map] = ShuffleStore.bucketize(dep, parent.iterator(map, tc));
                    return null;
                }));
            }
            try {
                runTasks(specs);
            } catch (RuntimeException e) {
                shuffles.remove(dep.shuffleId());
                throw e;
            }
            out.complete = true;
            LOG.debug("Shuffle {} of {}: {} map tasks in {} ms", dep.shuffleId(), parent, maps,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    private record TaskSpec<U>(Node<?> dataset, int partition, java.util.function.Function<TaskContext, U> body) {
    }

    private <U> U runOne(TaskSpec<U> spec) {
        return runOne(spec, () -> false);
    }

    private <U> U runOne(TaskSpec<U> spec, java.util.function.BooleanSupplier stopped) {
        TaskContext tc = new TaskContext(this, spec.partition(), stopped);
        U result;
        try {
            result = spec.body().apply(tc);
        } catch (Throwable t) {
            // Clean-up (discarding a part, aborting an upload) must not be cut short by the interrupt
            // that stopped this task: the task is over, so the interrupt has done its work.
            Thread.interrupted();
            try {
                tc.complete(t);
            } catch (RuntimeException e) {
                t.addSuppressed(e);
            }
            if (t instanceof TaskFailedException tfe) {
                throw tfe; // a nested job already named the failing dataset and partition
            }
            if (spec.dataset() == null && t instanceof RuntimeException re) {
                throw re; // not a dataset task: the body's own exception says what failed
            }
            throw new TaskFailedException(spec.dataset().toString(), spec.dataset().id(), spec.partition(), t);
        }
        tc.complete(null);
        return result;
    }

    private <U> List<U> runTasks(List<TaskSpec<U>> specs) {
        if (workers.isShutdown()) {
            throw new CairnException("Cannot run job (expected an open context, found it closed)");
        }
        List<U> results = new ArrayList<>(specs.size());
        if (ON_WORKER.get() || specs.size() == 1) {
            for (TaskSpec<U> spec : specs) {
                results.add(runOne(spec));
            }
            return results;
        }
        return new JobTasks<>(specs).run();
    }

    /**
     * The tasks of one job on the pool. When a task fails, the job stops the others (tasks not
     * started are skipped; running ones see {@link TaskContext#isStopped()}, and are not
     * interrupted, since an interrupt can abandon a storage request the store still carries out)
     * and then waits until every task has really ended before it reports the failure: a task
     * still running after its job failed could otherwise publish output (e.g. a checkpoint part)
     * after the caller cleaned up.
     */
    private final class JobTasks<U> {
        private final List<TaskSpec<U>> specs;
        private final Object[] results;
        private final java.util.concurrent.CountDownLatch done;
        private Throwable failure;
        private boolean stopped;

        JobTasks(List<TaskSpec<U>> specs) {
            this.specs = specs;
            this.results = new Object[specs.size()];
            this.done = new java.util.concurrent.CountDownLatch(specs.size());
        }

        @SuppressWarnings("unchecked")
        List<U> run() {
            for (int i = 0; i < specs.size(); i++) {
                final int index = i;
                try {
                    workers.execute(() -> runTask(index));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    stop(new CairnException("Cannot run job (expected an open context, found it closed)", e));
                    done.countDown();
                }
            }
            boolean interrupted = false;
            while (true) {
                try {
                    done.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    stop(new CairnException("Cannot run job: interrupted while waiting for its tasks", e));
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                if (failure instanceof RuntimeException re) {
                    throw re;
                }
                if (failure instanceof Error err) {
                    throw err;
                }
                if (failure != null) {
                    throw new CairnException("Cannot run job: a task failed", failure);
                }
            }
            List<U> out = new ArrayList<>(results.length);
            for (Object r : results) {
                out.add((U) r);
            }
            return out;
        }

        private void runTask(int index) {
            try {
                if (isStopped()) {
                    return;
                }
                results[index] = runOne(specs.get(index), this::isStopped);
            } catch (Throwable t) {
                stop(t);
            } finally {
                done.countDown();
            }
        }

        synchronized boolean isStopped() {
            return stopped;
        }

        /** Records the first failure and stops the job's other tasks. */
        private synchronized void stop(Throwable t) {
            if (failure == null) {
                failure = t; // later failures are mostly the stopped tasks' interrupts: noise next to the cause
            }
            stopped = true;
        }
    }

    /**
     * Runs {@code body(0)} … {@code body(count - 1)} on the worker pool (on this thread when it is
     * a worker) and waits for all; the first failure is rethrown as thrown.
     */
    public void runParallel(int count, java.util.function.IntConsumer body) {
        List<TaskSpec<Void>> specs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            final int index = i;
            specs.add(new TaskSpec<>(null, i, tc -> {
                body.accept(index);
                return null;
            }));
        }
        runTasks(specs);
    }

    /**
     * A task context for work outside a job (a background checkpoint reading a partition): its
     * completion listeners run when the caller completes it.
     */
    TaskContext backgroundTask(int partition, java.util.function.BooleanSupplier stopped) {
        return new TaskContext(this, partition, stopped);
    }

    /** Whether the engine was closed. */
    public boolean isClosed() {
        return workers.isShutdown();
    }

    /** Stops the workers (interrupting running tasks) and frees blocks and shuffle outputs. */
    @Override
    public void close() {
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("Workers of {} still running 10 s after close", name);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        shuffles.clear();
        blocks.close();
    }
}
