package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.memory.MemoryStorage;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A failed job ends all its tasks before it reports, so nothing a task does lands after the caller cleaned up. */
class FailedJobTest {

    @AfterEach
    void clear() {
        MemoryStorage.clear("failed-job");
    }

    /** Partition 1 keeps working, deaf to interrupts, for a while after partition 0 has failed. */
    private static Dataset<Long> slowSecondPartition(CairnContext ctx, AtomicBoolean failing, AtomicInteger finished) {
        java.util.concurrent.CountDownLatch secondRunning = new java.util.concurrent.CountDownLatch(1);
        return ctx.range(0, 2_000, 2).mapPartitionsWithIndex((partition, records) -> {
            if (partition == 0 && failing.get()) {
                try {
                    secondRunning.await(); // fail only once partition 1 is under way
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("partition 0 fails");
            }
            if (partition == 1 && failing.get()) {
                secondRunning.countDown();
                return new Iterator<Long>() {
                    private boolean first = true;

                    @Override
                    public boolean hasNext() {
                        boolean more = records.hasNext();
                        if (!more) {
                            finished.incrementAndGet();
                        }
                        return more;
                    }

                    @Override
                    public Long next() {
                        if (first) {
                            first = false;
                            long until = System.nanoTime() + 300_000_000L;
                            while (System.nanoTime() < until) {
                                Thread.onSpinWait(); // CPU-bound user code that never looks at its interrupt
                            }
                        }
                        return records.next();
                    }
                };
            }
            return records;
        });
    }

    @Test
    void aFailedJobReturnsOnlyAfterItsOtherTasksEnded() {
        try (CairnContext ctx = CairnContext.builder().parallelism(2).build()) {
            AtomicInteger finished = new AtomicInteger();
            Dataset<Long> ds = slowSecondPartition(ctx, new AtomicBoolean(true), finished);
            assertThrows(TaskFailedException.class, ds::count);
            assertEquals(1, finished.get(), "partition 1 had ended when count() threw");
        }
    }

    @Test
    void aTaskThatOutlivesItsFailedJobLeavesNoPartAndTheRetryCommitsEveryPart() throws Exception {
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir("memory://failed-job/ckpt").build()) {
            AtomicBoolean failing = new AtomicBoolean(true);
            Dataset<Long> ds = slowSecondPartition(ctx, failing, new AtomicInteger()).checkpoint();
            URI location = CheckpointLayout.datasetDirectory(ctx.checkpointDir().orElseThrow(), ctx.contextId(), ds.id());
            assertThrows(TaskFailedException.class, ds::count);
            List<FileStatus> left = RawStorage.of(location).list(location);
            assertEquals(List.of(), left, "the failed attempt's parts are all gone when count() throws");

            failing.set(false);
            assertEquals(2_000, ds.count());
            assertTrue(ds.isCheckpointed());
            assertEquals(2_000, ctx.readCheckpoint(location).count());
        }
    }
}
