package dev.cairn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointException;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.KeyedDataset;
import dev.cairn.Pair;
import dev.cairn.spark.internal.CairnCheckpointRDD;
import dev.cairn.spark.testkit.LocalSpark;
import dev.cairn.spark.testkit.Point;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

/**
 * {@link CairnSpark} on RDDs in {@code local[2]} (up to 4 attempts per task) on {@code file://}:
 * one job and one map call per record, the lineage cut, the partitioner kept, retries, a failed
 * job, options from the Spark configuration, reads across engines, and damaged checkpoints.
 */
class CheckpointRddTest {
    private static LocalSpark spark;
    private static JavaSparkContext sc;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        // an option from the Spark configuration: spark.cairn.<key> is cairn.<key>
        spark = LocalSpark.start(CheckpointRddTest.class, "spark.cairn.checkpoint.compression", "lz4");
        sc = spark.sc();
    }

    @AfterAll
    static void stop() {
        spark.close();
    }

    private String location(String name) {
        return dir.resolve(name).toUri().toString();
    }

    private static List<Point> points(long n) {
        return Point.upTo(n);
    }

    @Test
    void oneJobOneMapCallPerRecordAndTheLineageIsCut() throws Exception {
        LongAccumulator calls = sc.sc().longAccumulator("map calls");
        JavaRDD<Point> data = sc.parallelize(LongStream.range(0, 10_000).boxed().toList(), 6).map(i -> {
            calls.add(1);
            return Point.of(i);
        });
        JavaRDD<Point> back = CairnSpark.checkpoint(data, location("points"));

        assertEquals(10_000, calls.value(), "the checkpoint computes each record once");
        assertEquals(points(10_000), back.collect());
        assertEquals(10_000, calls.value(), "reading the checkpoint computes nothing");
        assertEquals(6, back.getNumPartitions());
        assertTrue(back.rdd() instanceof CairnCheckpointRDD, back.toDebugString());
        assertTrue(back.rdd().dependencies().isEmpty(), "lineage: " + back.toDebugString());
        assertFalse(back.toDebugString().contains("MapPartitionsRDD"), back.toDebugString());

        Path files = dir.resolve("points");
        assertEquals(List.of("_manifest.json", "part-00000", "part-00001", "part-00002", "part-00003", "part-00004", "part-00005"),
                listNames(files));
        String manifest = Files.readString(files.resolve("_manifest.json"));
        assertTrue(manifest.contains("\"lz4\""), "spark.cairn.checkpoint.compression reached the writer: " + manifest);
    }

    @Test
    void sparksOwnCheckpointComputesTheLineageTwice() {
        // The comparison the one-job protocol is about (SPARK-8582), measured, not assumed.
        sc.setCheckpointDir(dir.resolve("spark").toString());
        LongAccumulator calls = sc.sc().longAccumulator("spark map calls");
        JavaRDD<Long> data = sc.parallelize(LongStream.range(0, 1_000).boxed().toList(), 4).map(i -> {
            calls.add(1);
            return i * 2;
        });
        data.checkpoint();
        assertEquals(1_000, data.count());
        assertEquals(2_000, calls.value());
    }

    @Test
    void pairsKeepTheirPartitioner() {
        JavaPairRDD<Integer, String> pairs = sc.parallelize(LongStream.range(0, 500).boxed().toList(), 3)
                .mapToPair(i -> new Tuple2<>((int) (i % 37), "v" + i))
                .partitionBy(new HashPartitioner(5));
        JavaPairRDD<Integer, String> back = CairnSpark.checkpoint(pairs, location("pairs"));

        assertEquals(new HashPartitioner(5), back.partitioner().get());
        assertEquals(sorted(pairs.collect()), sorted(back.collect()));
        // each record still lives in the partition its key hashes to
        List<Boolean> placed = back.mapPartitionsWithIndex((p, it) -> {
            List<Boolean> ok = new ArrayList<>();
            it.forEachRemaining(t -> ok.add(new HashPartitioner(5).getPartition(t._1()) == p));
            return ok.iterator();
        }, true).collect();
        assertFalse(placed.contains(false));
        // and read back by another reader
        JavaPairRDD<Integer, String> again = CairnSpark.readPairCheckpoint(sc, location("pairs"));
        assertEquals(new HashPartitioner(5), again.partitioner().get());
        assertEquals(sorted(pairs.collect()), sorted(again.collect()));
    }

    private static List<String> sorted(List<Tuple2<Integer, String>> pairs) {
        return pairs.stream().map(t -> t._1() + "=" + t._2()).sorted().toList();
    }

    @Test
    void aRetriedTaskLeavesOnePartPerPartition() throws Exception {
        JavaRDD<Long> flaky = sc.parallelize(LongStream.range(0, 4_000).boxed().toList(), 4).map(i -> {
            TaskContext t = TaskContext.get();
            // partition 1's first attempt dies half way through its records, while its part is open
            if (t.partitionId() == 1 && t.attemptNumber() == 0 && i == 1_500) {
                throw new IllegalStateException("injected failure of attempt 0");
            }
            return i;
        });
        JavaRDD<Long> back = CairnSpark.checkpoint(flaky, location("retried"));

        assertEquals(LongStream.range(0, 4_000).boxed().toList(), back.collect());
        assertEquals(List.of("_manifest.json", "part-00000", "part-00001", "part-00002", "part-00003"),
                listNames(dir.resolve("retried")), "no partial part, no second copy, no temp file left");
    }

    @Test
    void aFailedJobCommitsNothingAndRemovesItsParts() throws Exception {
        JavaRDD<Long> broken = sc.parallelize(LongStream.range(0, 4_000).boxed().toList(), 4).map(i -> {
            if (i == 3_500) {
                throw new IllegalStateException("partition 3 always fails");
            }
            return i;
        });
        CheckpointException e = assertThrows(CheckpointException.class, () -> CairnSpark.checkpoint(broken, location("failed")));
        assertTrue(e.getMessage().contains("failed"), e.getMessage());
        assertTrue(e.getMessage().contains("nothing was committed"), e.getMessage());
        Path files = dir.resolve("failed");
        assertEquals(List.of(), Files.exists(files) ? listNames(files) : List.of());

        // and the location takes a good checkpoint afterwards
        JavaRDD<Long> good = sc.parallelize(LongStream.range(0, 10).boxed().toList(), 2);
        assertEquals(10, CairnSpark.checkpoint(good, location("failed")).count());
    }

    @Test
    void aCommittedCheckpointIsNeverOverwritten() {
        JavaRDD<Long> data = sc.parallelize(LongStream.range(0, 10).boxed().toList(), 2);
        CairnSpark.checkpoint(data, location("once"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> CairnSpark.checkpoint(data, location("once")));
        assertTrue(e.getMessage().contains(location("once").replaceAll("/$", "")), e.getMessage());
        assertEquals(LongStream.range(0, 10).boxed().toList(), CairnSpark.readCheckpoint(sc, location("once")).collect());
    }

    @Test
    void aSparkCheckpointIsReadByCairnAndACairnCheckpointBySpark() {
        JavaRDD<Point> data = sc.parallelize(points(1_000), 4);
        String sparkWritten = location("by-spark");
        CairnSpark.checkpoint(data, sparkWritten);
        try (CairnContext ctx = CairnContext.builder().appName("reader").parallelism(2).build()) {
            Dataset<Point> read = ctx.readCheckpoint(URI.create(sparkWritten));
            assertEquals(4, read.numPartitions());
            assertEquals(points(1_000), read.collect());
        }

        URI cairnWritten;
        URI cairnPairs;
        try (CairnContext ctx = CairnContext.builder().appName("writer").parallelism(2).checkpointDir(dir.resolve("cairn").toUri())
                .build()) {
            Dataset<Point> ds = ctx.parallelize(points(700), 3);
            ds.checkpoint(CheckpointMode.EAGER);
            cairnWritten = ds.checkpointLocation().orElseThrow();
            KeyedDataset<Long, Point> keyed = ds.keyBy(Point::id).partitionBy(new dev.cairn.HashPartitioner(4));
            keyed.checkpoint(CheckpointMode.EAGER);
            cairnPairs = keyed.checkpointLocation().orElseThrow();
        }
        JavaRDD<Point> read = CairnSpark.readCheckpoint(sc, cairnWritten.toString());
        assertEquals(3, read.getNumPartitions());
        assertEquals(points(700), read.collect());

        JavaPairRDD<Long, Point> pairs = CairnSpark.readPairCheckpoint(sc, cairnPairs.toString());
        assertEquals(new HashPartitioner(4), pairs.partitioner().get(), "Cairn's hash partitioner is Spark's");
        assertEquals(700, pairs.count());
        assertEquals(points(700).get(42), pairs.lookup(42L).get(0));
    }

    @Test
    void damagedCheckpointsFailTheReadNamingTheFile() throws Exception {
        for (String name : List.of("corrupt", "truncated", "missing-part", "missing-manifest")) {
            CairnSpark.checkpoint(sc.parallelize(LongStream.range(0, 20_000).boxed().toList(), 4), location(name));
        }
        flipByte(dir.resolve("corrupt/part-00001"));
        truncate(dir.resolve("truncated/part-00002"));
        Files.delete(dir.resolve("missing-part/part-00003"));
        Files.delete(dir.resolve("missing-manifest/_manifest.json"));

        assertNamesFile("part-00001", () -> CairnSpark.readCheckpoint(sc, location("corrupt")).count());
        assertNamesFile("part-00002", () -> CairnSpark.readCheckpoint(sc, location("truncated")).count());
        assertNamesFile("part-00003", () -> CairnSpark.readCheckpoint(sc, location("missing-part")).count());
        assertNamesFile("_manifest.json", () -> CairnSpark.readCheckpoint(sc, location("missing-manifest")).count());
    }

    /** The read fails (on the driver, or in a task whose failure Spark reports) and the message names {@code file}. */
    private static void assertNamesFile(String file, org.junit.jupiter.api.function.Executable read) {
        Exception e = assertThrows(Exception.class, read);
        assertTrue(e instanceof CheckpointException || e instanceof SparkException, e.toString());
        assertTrue(e.getMessage().contains(file), "expected the message to name " + file + ": " + e.getMessage());
    }

    static void flipByte(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
    }

    static void truncate(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
    }

    static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }
}
