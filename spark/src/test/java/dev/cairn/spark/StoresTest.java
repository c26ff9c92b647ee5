package dev.cairn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.spark.testkit.LocalSpark;
import dev.cairn.spark.testkit.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

/**
 * 32+ partitions commit and reload on every kind of store cairn-spark users write to: a local
 * file system, HDFS (a MiniDFSCluster, reached through the SparkContext's Hadoop
 * configuration), and S3 (S3Proxy) whose listings lag behind writes, the store on which Spark's
 * own checkpoint fails with "Checkpoint RDD has a different number of partitions".
 */
class StoresTest {
    private static final int PARTS = 36;
    private static final long RECORDS = PARTS * 400L;
    private static final Duration LAG = Duration.ofSeconds(2);

    private static MiniDFSCluster hdfs;
    private static S3Server s3;
    private static LocalSpark spark;
    private static JavaSparkContext sc;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Path base = Path.of(System.getProperty("cairn.test.work", "target/test-work"), "minidfs-" + UUID.randomUUID()).toAbsolutePath();
        Files.createDirectories(base);
        Configuration conf = new HdfsConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        s3 = S3Server.start(LAG, "lagging");

        List<String> settings = new ArrayList<>();
        s3.cairnSparkConf().forEach((k, v) -> {
            settings.add(k);
            settings.add(v);
        });
        // reaches executors' HDFS clients through the shipped Hadoop configuration (cairn.hadoop.*)
        settings.addAll(List.of("spark.hadoop.dfs.replication", "1"));
        spark = LocalSpark.start(StoresTest.class, settings.toArray(String[]::new));
        sc = spark.sc();
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (hdfs != null) {
            hdfs.shutdown(true);
        }
    }

    private static JavaPairRDD<Long, Long> squares() {
        return sc.parallelize(LongStream.range(0, RECORDS).boxed().toList(), PARTS).mapToPair(i -> new Tuple2<>(i, i * i));
    }

    private static void assertCommitsAndReloads(String location) {
        JavaPairRDD<Long, Long> data = squares();
        List<Tuple2<Long, Long>> expected = data.collect();
        JavaPairRDD<Long, Long> back = CairnSpark.checkpoint(data, location);
        assertEquals(PARTS, back.getNumPartitions());
        assertEquals(expected, back.collect());
        JavaPairRDD<Long, Long> again = CairnSpark.readPairCheckpoint(sc, location);
        assertEquals(expected, again.collect());
    }

    @Test
    void localFileSystem() {
        assertCommitsAndReloads(tmp.resolve("file-store").toUri().toString());
    }

    @Test
    void hdfsThroughTheSparkContextsHadoopConfiguration() throws Exception {
        String location = "hdfs://localhost:" + hdfs.getNameNodePort() + "/ckpt/" + UUID.randomUUID();
        assertCommitsAndReloads(location);
        FileSystem fs = hdfs.getFileSystem();
        FileStatus part = fs.getFileStatus(new org.apache.hadoop.fs.Path(location + "/part-00007"));
        assertEquals(1, part.getReplication(), "spark.hadoop.dfs.replication reached the writing task");
    }

    @Test
    void s3WithLaggingListings() {
        String prefix = "ckpt-" + UUID.randomUUID();
        String location = "s3://lagging/" + prefix;
        JavaRDD<Long> data = sc.parallelize(LongStream.range(0, RECORDS).boxed().toList(), PARTS);
        JavaRDD<Long> back = CairnSpark.checkpoint(data, location);
        // The reload waited for the listing: every part is listed by now, and all records are there.
        assertEquals(LongStream.range(0, RECORDS).boxed().toList(), back.collect());
        long listed = 0;
        for (StorageMetadata m : s3.blobStore().list("lagging", ListContainerOptions.Builder.prefix(prefix + "/").recursive())) {
            listed += m.getName().contains("/part-") ? 1 : 0;
        }
        assertTrue(listed == PARTS, "parts listed now: " + listed);
        assertEquals(RECORDS, CairnSpark.readCheckpoint(sc, location).count());
    }
}
