package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import dev.cairn.CheckpointException;
import dev.cairn.checkpoint.PartReceipt;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background side of a context's asynchronous checkpoints: a thread per running upload, a
 * pool of upload threads shared by their parts (not the worker pool, so uploads waiting on a
 * slow store never hold back the jobs that go on meanwhile), and the order of commits: uploads
 * commit in the order they started, whatever order their parts finish in.
 *
 * <p>Thread-safe.
 */
public final class AsyncCheckpoints {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncCheckpoints.class);

    /** Option: threads writing parts of background checkpoints; default 4. */
    public static final String THREADS = "cairn.checkpoint.async.threads";
    /** Option: how long closing a context waits for background checkpoints before it stops them; default 60s. */
    public static final String CLOSE_TIMEOUT = "cairn.checkpoint.async.close-timeout";

    private final String name;
    private final int threads;
    private final Duration closeTimeout;
    private final Set<CheckpointData<?>> running = ConcurrentHashMap.newKeySet();
    private final Object turns = new Object();
    private long nextTurn;
    private long turnToCommit;
    private volatile ExecutorService uploads;
    private volatile ExecutorService parts;

    AsyncCheckpoints(String name, int threads, Duration closeTimeout) {
        if (threads < 1) {
            throw new CairnException("Cannot read option " + THREADS + ": " + threads + " (expected a whole number >= 1, found " + threads + ")");
        }
        this.name = name;
        this.threads = threads;
        this.closeTimeout = closeTimeout;
    }

    /** Takes the next turn: the order in which uploads will commit. */
    long nextTurn() {
        synchronized (turns) {
            return nextTurn++;
        }
    }

    /** Waits until every upload that took an earlier turn has ended (committed or failed). */
    void awaitTurn(long turn) {
        synchronized (turns) {
            while (turnToCommit < turn) {
                try {
                    turns.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CheckpointException("commit", "(background)", null, null, "expected to wait for the earlier background"
                            + " checkpoints to commit first, found the thread interrupted", e);
                }
            }
        }
    }

    /** Ends a turn, letting the next upload commit. Turns end in order: an upload ends its turn only once its predecessors have. */
    void endTurn(long turn) {
        synchronized (turns) {
            while (turnToCommit < turn) { // a failure before awaitTurn: still end in order
                try {
                    turns.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            turnToCommit = Math.max(turnToCommit, turn + 1);
            turns.notifyAll();
        }
    }

    /** Runs an upload in the background. */
    void run(CheckpointData<?> checkpoint, long turn, Runnable upload) {
        running.add(checkpoint);
        try {
            uploads().execute(() -> {
                try {
                    upload.run();
                } finally {
                    running.remove(checkpoint);
                }
            });
        } catch (RuntimeException e) { // the pool is shut down: the context is closing
            running.remove(checkpoint);
            endTurn(turn);
            throw new CairnException("Cannot start a background checkpoint (expected an open context, found it closing)", e);
        }
    }

    /** Writes every partition on the upload threads; the receipts in partition order, or the first failure. */
    List<PartReceipt> forEachPartition(int count, IntFunction<PartReceipt> write) {
        List<Future<PartReceipt>> futures = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            final int partition = p;
            futures.add(parts().submit(() -> write.apply(partition)));
        }
        List<PartReceipt> receipts = new ArrayList<>(count);
        RuntimeException failure = null;
        for (Future<PartReceipt> f : futures) {
            try {
                receipts.add(f.get());
            } catch (ExecutionException e) {
                RuntimeException cause = e.getCause() instanceof RuntimeException re ? re : new CairnException(
                        "Cannot write a part of a background checkpoint (expected it written, found " + e.getCause() + ")", e.getCause());
                if (failure == null) {
                    failure = cause;
                } else if (failure != cause) {
                    failure.addSuppressed(cause);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(false));
                throw new CairnException("Cannot write a background checkpoint (expected its parts written, found the thread interrupted)", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return receipts;
    }

    /** How many background checkpoints are being written. */
    public int inFlight() {
        return stillRunning().size();
    }

    /**
     * The checkpoints whose upload has not finished. An upload's future completes (and its
     * waiters return) a moment before its thread leaves {@link #running}: such a checkpoint is done,
     * not running.
     */
    private List<CheckpointData<?>> stillRunning() {
        List<CheckpointData<?>> list = new ArrayList<>();
        for (CheckpointData<?> cp : running) {
            if (cp.runningUpload() != null) {
                list.add(cp);
            }
        }
        return list;
    }

    private ExecutorService uploads() {
        ExecutorService e = uploads;
        if (e == null) {
            synchronized (this) {
                if (uploads == null) {
                    uploads = Executors.newCachedThreadPool(daemon("cairn-" + name + "-checkpoint"));
                    parts = Executors.newFixedThreadPool(threads, daemon("cairn-" + name + "-upload"));
                }
                e = uploads;
            }
        }
        return e;
    }

    private ExecutorService parts() {
        uploads();
        return parts;
    }

    private static java.util.concurrent.ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Waits up to the close timeout for the uploads still running, then stops the rest (their
     * parts are discarded and removed, nothing is committed), and shuts the threads down.
     */
    void close() {
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        for (CheckpointData<?> cp : new ArrayList<>(running)) {
            CompletableFuture<URI> u = cp.runningUpload();
            if (u == null) {
                continue;
            }
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    u.get(left, TimeUnit.NANOSECONDS);
                }
            } catch (TimeoutException e) {
                LOG.debug("Background checkpoint still running at the close timeout", e);
            } catch (ExecutionException e) {
                LOG.debug("Background checkpoint failed while the context closed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<CheckpointData<?>> late = stillRunning();
        if (!late.isEmpty()) {
            LOG.warn("Closing: stopping {} background checkpoints still running after {} ms ({}); their parts are removed",
                    late.size(), closeTimeout.toMillis(), CLOSE_TIMEOUT);
            late.forEach(CheckpointData::stopUpload);
            for (CheckpointData<?> cp : late) {
                CompletableFuture<URI> u = cp.runningUpload();
                if (u != null) {
                    try {
                        u.get(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    } catch (ExecutionException | TimeoutException e) {
                        LOG.debug("Background checkpoint stopped", e);
                    }
                }
            }
        }
        ExecutorService e = uploads;
        if (e != null) {
            e.shutdown();
            parts.shutdown();
        }
    }
}
