package dev.cairn.spark.examples;

import dev.cairn.spark.SparkCheckpointer;
import dev.cairn.spark.testkit.LocalSpark;
import dev.cairn.spark.testkit.S3Server;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * The seed's failure, fixed, side by side: PageRank in Spark, checkpointing every 2 iterations
 * to an S3 store whose listings lag behind writes (an embedded S3Proxy; AWS S3 behaved so until
 * December 2020).
 *
 * <ol>
 *   <li>Spark's own {@code RDD.checkpoint()} to {@code s3a://ranks/spark}: after writing the
 *       parts it lists the directory, sees fewer parts than partitions, and fails with
 *       "Checkpoint RDD has a different number of partitions from original RDD".</li>
 *   <li>The same job through Cairn ({@link SparkCheckpointer}, {@code s3://ranks/cairn}): the
 *       reload waits until the listing shows every part, verifies, and the job finishes with the
 *       ranks a run without any checkpoint computes.</li>
 * </ol>
 *
 * Run: {@code mvn -B -pl spark/spark4 -am verify -Dtest=LaggingS3PageRankTest
 * -Dsurefire.failIfNoSpecifiedTests=false} (prints the comparison to the test's output), or
 * {@code main} on the spark4 module's test class path with Spark's Java 17 flags.
 */
public final class LaggingS3PageRank {
    static final int PAGES = 2_000;
    static final int PARTITIONS = 16;
    static final int ITERATIONS = 6;
    static final int CHECKPOINT_EVERY = 2;

    /** What each side did. */
    public record Outcome(String side, boolean finished, String detail, Map<Long, Double> topRanks) {
    }

    private LaggingS3PageRank() {
    }

    public static void main(String[] args) throws Exception {
        for (Outcome o : run(Duration.ofSeconds(3))) {
            System.out.printf("%-36s %s: %s%n", o.side(), o.finished() ? "FINISHED" : "FAILED", o.detail());
        }
    }

    /** Both runs against one S3 server whose listings lag by {@code lag}. */
    public static List<Outcome> run(Duration lag) throws Exception {
        List<Outcome> out = new ArrayList<>();
        try (S3Server s3 = S3Server.start(lag, "ranks")) {
            SparkConf conf = LocalSpark.defaults("lagging-s3-pagerank").setMaster("local[2]");
            s3.cairnSparkConf().forEach(conf::set);
            s3.s3aSparkConf().forEach(conf::set);
            SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
            try {
                JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
                JavaPairRDD<Long, Iterable<Long>> links = links(sc).cache();
                Map<Long, Double> reference = top(iterate(links, ranks(links), ITERATIONS, r -> r));

                out.add(sparkOwnCheckpoint(sc, links));
                SparkCheckpointer checkpointer = SparkCheckpointer.create("s3://ranks/cairn", CHECKPOINT_EVERY, 2);
                long t0 = System.nanoTime();
                Map<Long, Double> ranks = top(iterate(links, ranks(links), ITERATIONS, checkpointer::update));
                checkpointer.close();
                out.add(new Outcome("Cairn (s3://, CairnSpark)", ranks.equals(reference),
                        String.format("%d iterations, %d checkpoints committed in %d ms; top ranks %s the uncheckpointed run's",
                                ITERATIONS, ITERATIONS / CHECKPOINT_EVERY, (System.nanoTime() - t0) / 1_000_000,
                                ranks.equals(reference) ? "equal" : "DIFFER FROM"), ranks));
            } finally {
                spark.stop();
            }
        }
        return out;
    }

    private static Outcome sparkOwnCheckpoint(JavaSparkContext sc, JavaPairRDD<Long, Iterable<Long>> links) {
        sc.setCheckpointDir("s3a://ranks/spark");
        try {
            Map<Long, Double> ranks = top(iterate(links, ranks(links), ITERATIONS, r -> {
                r.checkpoint();
                r.count();
                return r;
            }));
            return new Outcome("Spark (s3a://, RDD.checkpoint())", true, "finished (the listing caught up in time)", ranks);
        } catch (Exception e) { // SparkException: checked, thrown undeclared by Scala
            String message = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
            return new Outcome("Spark (s3a://, RDD.checkpoint())", false,
                    message.length() > 240 ? message.substring(0, 240) + " …" : message, Map.of());
        }
    }

    /** Page {@code i} links to three others; the graph is the same on every run. */
    static JavaPairRDD<Long, Iterable<Long>> links(JavaSparkContext sc) {
        return sc.parallelize(LongStream.range(0, PAGES).boxed().toList(), PARTITIONS)
                .mapToPair(i -> new Tuple2<Long, Iterable<Long>>(i, outLinks(i)))
                .partitionBy(new HashPartitioner(PARTITIONS));
    }

    /** An ArrayList: Spark's Kryo 4 cannot rebuild the immutable lists of List.of. */
    private static Iterable<Long> outLinks(long i) {
        return new ArrayList<>(List.of((i * 7 + 1) % PAGES, (i * 13 + 5) % PAGES, (i / 2) % PAGES));
    }

    static JavaPairRDD<Long, Double> ranks(JavaPairRDD<Long, Iterable<Long>> links) {
        return links.mapValues(l -> 1.0);
    }

    interface Step {
        JavaPairRDD<Long, Double> after(JavaPairRDD<Long, Double> ranks);
    }

    static JavaPairRDD<Long, Double> iterate(JavaPairRDD<Long, Iterable<Long>> links, JavaPairRDD<Long, Double> ranks, int n,
                                             Step afterEach) {
        for (int i = 1; i <= n; i++) {
            JavaPairRDD<Long, Double> contributions = links.join(ranks).values().flatMapToPair(t -> {
                List<Tuple2<Long, Double>> c = new ArrayList<>();
                int size = 0;
                for (Long ignored : t._1()) {
                    size++;
                }
                for (Long to : t._1()) {
                    c.add(new Tuple2<>(to, t._2() / size));
                }
                return c.iterator();
            });
            ranks = contributions.reduceByKey(new HashPartitioner(PARTITIONS), Double::sum).mapValues(s -> 0.15 + 0.85 * s);
            if (i % CHECKPOINT_EVERY == 0) {
                ranks = afterEach.after(ranks);
            }
        }
        return ranks;
    }

    /** The ten best pages and their ranks, rounded to 1e-9 so that summation order does not matter. */
    static Map<Long, Double> top(JavaPairRDD<Long, Double> ranks) {
        Map<Long, Double> out = new java.util.LinkedHashMap<>();
        ranks.mapToPair(t -> new Tuple2<>(Math.round(t._2() * 1e9) / 1e9, t._1())).sortByKey(false).take(10)
                .forEach(t -> out.put(t._2(), t._1()));
        return out;
    }
}
