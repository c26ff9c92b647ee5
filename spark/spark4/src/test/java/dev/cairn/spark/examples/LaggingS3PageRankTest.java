package dev.cairn.spark.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example main's claim, checked: on lagging listings Spark's checkpoint fails and Cairn's finishes, correct. */
class LaggingS3PageRankTest {
    @Test
    void sparkFailsWhereCairnFinishes() throws Exception {
        List<LaggingS3PageRank.Outcome> outcomes = LaggingS3PageRank.run(Duration.ofSeconds(3));
        outcomes.forEach(o -> System.out.println(o.side() + ": " + (o.finished() ? "FINISHED " : "FAILED ") + o.detail()));
        LaggingS3PageRank.Outcome spark = outcomes.get(0);
        LaggingS3PageRank.Outcome cairn = outcomes.get(1);
        assertFalse(spark.finished(), spark.detail());
        assertTrue(spark.detail().contains("different number of partitions"), spark.detail());
        assertTrue(cairn.finished(), cairn.detail());
        assertEquals(10, cairn.topRanks().size());
    }
}
