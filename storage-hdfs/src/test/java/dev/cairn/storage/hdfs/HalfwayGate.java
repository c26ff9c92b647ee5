package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * Holds every partition of a dataset halfway through its records until the test lets them go: a
 * checkpoint of the dataset then has every part file open and half written, the moment a test
 * breaks the cluster under it.
 */
final class HalfwayGate {
    private final int recordsPerPartition;
    private final CountDownLatch halfway;
    private final CountDownLatch resume = new CountDownLatch(1);

    HalfwayGate(int partitions, int recordsPerPartition) {
        this.recordsPerPartition = recordsPerPartition;
        this.halfway = new CountDownLatch(partitions);
    }

    /** A partition's records, made from its keys by {@code record}, that stop halfway until {@link #resume()}. */
    <T> Iterator<T> pause(Iterator<Long> keys, LongFunction<T> record) {
        return new Iterator<>() {
            private int n;

            @Override
            public boolean hasNext() {
                return keys.hasNext();
            }

            @Override
            public T next() {
                long key = keys.next();
                if (++n == recordsPerPartition / 2) {
                    halfway.countDown();
                    awaitResume();
                }
                return record.apply(key);
            }
        };
    }

    /** Waits (60 s at most) until every partition is halfway; {@code running} names the computation for the failure. */
    void awaitHalfway(Object running) throws InterruptedException {
        if (!halfway.await(60, TimeUnit.SECONDS)) {
            fail("the partitions did not reach halfway: " + halfway.getCount() + " still writing; " + running);
        }
    }

    /** Lets the partitions go on. */
    void resume() {
        resume.countDown();
    }

    /** Lets later computations through without stopping. */
    void releaseAll() {
        resume.countDown();
        while (halfway.getCount() > 0) {
            halfway.countDown();
        }
    }

    private void awaitResume() {
        try {
            if (!resume.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not resumed within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted halfway", e);
        }
    }
}
