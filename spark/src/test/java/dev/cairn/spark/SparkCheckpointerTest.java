package dev.cairn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.spark.testkit.LocalSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

/**
 * {@link SparkCheckpointer} in an iterative loop: every N-th update is checkpointed (lineage
 * stays short, partitioner kept), the newest K stay, and an older one goes only once a newer one
 * committed and no RDD reads it any more.
 */
class SparkCheckpointerTest {
    private static LocalSpark spark;
    private static JavaSparkContext sc;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(SparkCheckpointerTest.class);
        sc = spark.sc();
    }

    @AfterAll
    static void stop() {
        spark.close();
    }

    private static JavaPairRDD<Long, Long> step(JavaPairRDD<Long, Long> state) {
        return state.mapValues(v -> v + 1);
    }

    @Test
    void checkpointsEveryNthUpdateKeepsTheNewestKAndSparesWhatIsStillRead() throws Exception {
        SparkCheckpointer checkpointer = SparkCheckpointer.create(dir.toUri().toString(), 2, 1);
        JavaPairRDD<Long, Long> state = sc.parallelize(LongStream.range(0, 200).boxed().toList(), 4)
                .mapToPair(i -> new Tuple2<>(i, 0L)).partitionBy(new HashPartitioner(4));
        JavaPairRDD<Long, Long> heldBack = null;
        for (int i = 1; i <= 8; i++) {
            state = checkpointer.update(step(state));
            if (i == 2) {
                heldBack = state; // a caller still holds the first checkpoint's RDD
            }
            if (i % 2 == 0) {
                // the tuples over the checkpoint's files, and nothing else
                assertEquals(2, state.rdd().toDebugString().split("\n").length, "lineage cut: " + state.toDebugString());
            }
        }
        assertEquals(8, checkpointer.updateCount());
        assertEquals(new HashPartitioner(4), state.partitioner().get());
        assertEquals(8L * 200, state.values().reduce(Long::sum));

        // checkpoint-000002 is still read through heldBack: kept, and still readable
        assertTrue(Files.exists(dir.resolve("checkpoint-000002/_manifest.json")));
        assertEquals(2L * 200, heldBack.values().reduce(Long::sum));
        assertEquals(dir.toUri().toString().replaceAll("/$", "") + "/checkpoint-000008", checkpointer.lastCheckpoint().get());

        // once nothing reads the older ones, they go; the newest stays
        heldBack = null;
        List<String> left = List.of();
        for (int attempt = 0; attempt < 50; attempt++) {
            System.gc(); // the files of a checkpoint go when its RDD is collected
            left = checkpointer.checkpoints();
            if (left.size() == 1) {
                break;
            }
        }
        assertEquals(1, left.size(), "left: " + left);
        assertFalse(Files.exists(dir.resolve("checkpoint-000002")));
        assertFalse(Files.exists(dir.resolve("checkpoint-000006")));
        assertTrue(Files.exists(dir.resolve("checkpoint-000008/_manifest.json")));
        assertEquals(8L * 200, state.values().reduce(Long::sum));
        checkpointer.close();
    }
}
