package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParallelismTest {

    @Test
    void partitionsRunConcurrentlyOnTheWorkerPool() {
        int parallelism = 4;
        try (CairnContext ctx = CairnContext.builder().appName("parallel").parallelism(parallelism).build()) {
            // Each task waits until all four are running at once: this only finishes when they really overlap.
            CountDownLatch allRunning = new CountDownLatch(parallelism);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            List<Boolean> met = ctx.range(0, 4, parallelism).mapPartitions(it -> {
                threads.add(Thread.currentThread().getName());
                allRunning.countDown();
                try {
                    return List.of(allRunning.await(30, TimeUnit.SECONDS)).iterator();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }).collect();
            assertEquals(List.of(true, true, true, true), met);
            assertEquals(parallelism, threads.size());
            assertTrue(threads.stream().allMatch(t -> t.startsWith("cairn-parallel-worker-")), threads.toString());
        }
    }

    @Test
    void resultsAreTheSameAsASequentialRun() {
        List<Pair<Long, Long>> sequential;
        List<Pair<Long, Long>> parallel;
        try (CairnContext one = CairnContext.builder().parallelism(1).build()) {
            sequential = pipeline(one);
        }
        try (CairnContext four = CairnContext.builder().parallelism(4).build()) {
            parallel = pipeline(four);
        }
        assertEquals(sequential, parallel);
        assertEquals(97, sequential.size());
    }

    private static List<Pair<Long, Long>> pipeline(CairnContext ctx) {
        List<Pair<Long, Long>> out = new java.util.ArrayList<>(ctx.range(0, 200_000, 16)
                .map(x -> x * 31 % 1009)
                .keyBy(x -> x % 97)
                .reduceByKey(Long::sum, 7)
                .collect());
        out.sort(java.util.Comparator.comparing(Pair::key));
        return out;
    }

    @Test
    void anActionInsideATaskDoesNotDeadlockThePool() {
        try (CairnContext ctx = CairnContext.builder().parallelism(2).build()) {
            Dataset<Long> inner = ctx.range(0, 10, 4);
            List<Long> counts = ctx.range(0, 4, 4).map(x -> inner.count() + x).collect();
            assertEquals(List.of(10L, 11L, 12L, 13L), counts);
        }
    }
}
