package dev.cairn.spark.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.spark.testkit.BatchOutputs;
import dev.cairn.spark.testkit.LocalSpark;
import dev.cairn.spark.testkit.RateAggregation;
import dev.cairn.spark.testkit.S3Server;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A stateful streaming query whose checkpoint lives on S3 (S3Proxy, every object listed only 2 s
 * after it was written, so a restarted query finds its newest offsets and commits only through
 * the manager's lookups), stopped and restarted several times at random moments, mid-batch
 * included: its output, batch for batch, is that of one uninterrupted run.
 */
class StreamingRestartTest {
    private static final int ROWS = 50;
    private static final long LAST_BATCH = 9;
    private static final int RESTARTS = 4;
    private static final Duration WAIT = Duration.ofMinutes(2);

    private static S3Server s3;
    private static LocalSpark spark;

    @BeforeAll
    static void start() throws Exception {
        s3 = S3Server.start(Duration.ofSeconds(2), name -> true, "streaming");
        List<String> settings = new ArrayList<>(StreamingSettings.checkpointsOnCairn());
        s3.cairnSparkConf().forEach((k, v) -> {
            settings.add(k);
            settings.add(v);
        });
        spark = LocalSpark.start(StreamingRestartTest.class, settings.toArray(String[]::new));
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private static StreamingQuery run(String checkpoint, BatchOutputs sink) throws Exception {
        return RateAggregation.start(spark.session(), checkpoint, ROWS, 50, Map.of(), sink);
    }

    @Test
    void stoppedAndRestartedFourTimesTheOutputIsThatOfOneUninterruptedRun() throws Exception {
        BatchOutputs reference = new BatchOutputs();
        StreamingQuery once = run("s3://streaming/reference", reference);
        reference.awaitBatch(LAST_BATCH, WAIT);
        once.stop();
        Map<Long, String> uninterrupted = new TreeMap<>(reference.outputs());
        uninterrupted.keySet().removeIf(b -> b > LAST_BATCH);
        for (long b = 0; b <= LAST_BATCH; b++) {
            assertEquals(RateAggregation.expected(b, ROWS), uninterrupted.get(b), "the uninterrupted run, batch " + b);
        }

        BatchOutputs restarted = new BatchOutputs();
        Random random = new Random(16);
        List<String> stops = new ArrayList<>();
        for (int run = 1; run <= RESTARTS; run++) {
            StreamingQuery q = run("s3://streaming/restarted", restarted);
            long target = restarted.highest() + 1;
            restarted.awaitBatch(target, WAIT);
            long delay = random.nextInt(250); // lands anywhere in the next batch: planning, state, sink, commit
            if (delay > 0) {
                Thread.sleep(delay); // the random moment is the point: no condition to await
            }
            q.stop();
            stops.add("run " + run + " stopped " + delay + " ms after batch " + target + ", highest " + restarted.highest());
            assertTrue(q.exception().isEmpty(), () -> "run stopped cleanly: " + q.exception());
        }
        StreamingQuery last = run("s3://streaming/restarted", restarted);
        restarted.awaitBatch(LAST_BATCH, WAIT);
        last.stop();
        System.out.println(String.join("\n", stops));

        assertEquals(List.of(), restarted.conflicts(), "a batch that ran again produced the same output");
        Map<Long, String> got = new TreeMap<>(restarted.outputs());
        got.keySet().removeIf(b -> b > LAST_BATCH);
        assertEquals(uninterrupted, got);
    }
}
