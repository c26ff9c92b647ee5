package dev.cairn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointException;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.spark.testkit.LocalSpark;
import dev.cairn.spark.testkit.Point;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark.cairn.checkpoint.prefix-spread}: executors write their parts under the sub-prefixes,
 * the driver commits a format 4 manifest, and the checkpoint reads back in Spark and in Cairn; a
 * damaged part fails the read naming its path; a failed job leaves no sub-prefix behind.
 */
class PrefixSpreadSparkTest {
    private static final int SPREAD = 4;
    private static LocalSpark spark;
    private static JavaSparkContext sc;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(PrefixSpreadSparkTest.class, "spark.cairn.checkpoint.prefix-spread", String.valueOf(SPREAD));
        sc = spark.sc();
    }

    @AfterAll
    static void stop() {
        spark.close();
    }

    @Test
    void executorsWriteUnderTheSubPrefixesAndBothEnginesReadItBack() throws IOException {
        String location = dir.resolve("spread").toUri().toString();
        JavaRDD<Point> data = sc.parallelize(Point.upTo(1_000), 6);
        assertEquals(Point.upTo(1_000), CairnSpark.checkpoint(data, location).collect());

        for (int p = 0; p < 6; p++) {
            assertTrue(Files.isRegularFile(dir.resolve("spread").resolve(CheckpointLayout.partPath(p, SPREAD))), "part " + p);
        }
        String manifest = Files.readString(dir.resolve("spread/_manifest.json"), StandardCharsets.UTF_8);
        assertTrue(manifest.contains("\"formatVersion\" : 4") && manifest.contains("\"prefixSpread\" : 4"), manifest);
        assertEquals(Point.upTo(1_000), CairnSpark.<Point>readCheckpoint(sc, location).collect());
        try (CairnContext ctx = CairnContext.builder().appName("reader").parallelism(2).build()) {
            Dataset<Point> read = ctx.readCheckpoint(URI.create(location));
            assertEquals(Point.upTo(1_000), read.collect());
        }

        String second = CheckpointLayout.partPath(2, SPREAD);
        CheckpointRddTest.flipByte(dir.resolve("spread").resolve(second));
        Exception e = assertThrows(Exception.class, () -> CairnSpark.readCheckpoint(sc, location).count());
        assertTrue(e instanceof CheckpointException || e instanceof SparkException, e.toString());
        assertTrue(e.getMessage().contains(second), "expected the message to name " + second + ": " + e.getMessage());
    }

    @Test
    void aFailedJobLeavesNoSubPrefixBehind() throws IOException {
        JavaRDD<Long> broken = sc.parallelize(LongStream.range(0, 4_000).boxed().toList(), 4).map(i -> {
            if (i == 3_500) {
                throw new IllegalStateException("partition 3 always fails");
            }
            return i;
        });
        String location = dir.resolve("failed").toUri().toString();
        assertThrows(CheckpointException.class, () -> CairnSpark.checkpoint(broken, location));
        Path files = dir.resolve("failed");
        if (Files.exists(files)) {
            try (Stream<Path> left = Files.walk(files)) {
                assertEquals(List.of(files), left.toList());
            }
        }
    }
}
