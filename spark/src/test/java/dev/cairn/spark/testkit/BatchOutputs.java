package dev.cairn.spark.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The outputs of an in-process query, batch by batch, with every batch that ran again and
 * produced something else noted as a conflict. Lets a test await a batch instead of sleeping.
 */
public final class BatchOutputs implements RateAggregation.BatchSink {
    private static final long serialVersionUID = 1L;
    private final Map<Long, String> outputs = new ConcurrentHashMap<>();
    private final List<String> conflicts = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void accept(long batchId, String output) {
        String before = outputs.put(batchId, output);
        if (before != null && !before.equals(output)) {
            conflicts.add("batch " + batchId + " ran again with other output: before " + before + ", after " + output);
        }
        notifyAll();
    }

    /** Waits until a batch numbered {@code batchId} or higher has been written. */
    public synchronized void awaitBatch(long batchId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (highest() < batchId) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("no batch >= " + batchId + " within " + timeout + "; highest " + highest());
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** The highest batch written, or -1. */
    public synchronized long highest() {
        return outputs.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /** Batch id → output, sorted. */
    public synchronized Map<Long, String> outputs() {
        return new TreeMap<>(outputs);
    }

    /** Replayed batches whose output changed: must stay empty. */
    public List<String> conflicts() {
        return List.copyOf(conflicts);
    }
}
