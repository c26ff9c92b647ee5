package dev.cairn.benchmarks.spark;

import dev.cairn.benchmarks.harness.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * The wall time of each Spark job from its start to its end event: splits an action into the jobs
 * it ran (Spark's {@code count()} of an RDD marked for checkpointing runs the count, then a second
 * job that computes the RDD again and writes it; {@code CairnSpark.checkpoint} runs one job that
 * computes and writes). Events arrive on Spark's listener bus thread shortly after the fact.
 */
final class JobTimes extends SparkListener {
    private final Map<Integer, Long> starts = new ConcurrentHashMap<>();
    private final Map<Integer, Long> ends = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
        starts.put(start.jobId(), start.time());
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
        ends.put(end.jobId(), end.time());
    }

    /**
     * The durations (ms) of the jobs that started in {@code [fromMillis, toMillis]} (wall clock), in
     * job order ("?" for one whose end never arrived); waits up to 10 s for their end events.
     */
    private List<String> between(long fromMillis, long toMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            List<Integer> jobs = starts.entrySet().stream().filter(e -> e.getValue() >= fromMillis && e.getValue() <= toMillis)
                    .map(Map.Entry::getKey).sorted().toList();
            if (jobs.stream().allMatch(ends::containsKey) || System.currentTimeMillis() > deadline) {
                List<String> out = new ArrayList<>();
                for (int job : jobs) {
                    out.add(ends.containsKey(job) ? Long.toString(ends.get(job) - starts.get(job)) : "?");
                }
                return out;
            }
            Thread.sleep(10); // the listener bus gives user code no completion signal
        }
    }

    /**
     * Puts into {@code result} the number of jobs that started in {@code [fromMillis, toMillis]}
     * ({@code checkpointJobs}) and each one's duration ({@code job1Ms}, {@code job2Ms}, …).
     */
    void putInto(Result result, long fromMillis, long toMillis) throws InterruptedException {
        List<String> jobs = between(fromMillis, toMillis);
        result.put("checkpointJobs", jobs.size());
        for (int j = 0; j < jobs.size(); j++) {
            result.put("job" + (j + 1) + "Ms", jobs.get(j));
        }
    }
}
