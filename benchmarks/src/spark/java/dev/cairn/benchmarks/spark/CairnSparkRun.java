package dev.cairn.benchmarks.spark;

import dev.cairn.benchmarks.harness.Args;
import dev.cairn.benchmarks.harness.ChildStats;
import dev.cairn.benchmarks.harness.Result;
import dev.cairn.spark.CairnSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * One measured run of the {@link SparkRun} job with {@code CairnSpark.checkpoint} in place of
 * Spark's {@code checkpoint()} + action, in a JVM of its own: the same Spark ({@code local[P]},
 * Kryo for Spark's own data, defaults otherwise), the same pipeline and map counter. Timed:
 * {@code CairnSpark.checkpoint(data)} (one job: compute, write, commit, reload, verify) and a
 * {@code count()} of the checkpointed RDD (the "action"; the two are also timed apart, with the process CPU
 * time of both), then a second {@code count()} (the
 * re-read). Cairn serializes with its own Kryo 5 ({@code cairn.serializer} default).
 *
 * <p>Arguments: those of {@link SparkRun}.
 */
public final class CairnSparkRun {
    private CairnSparkRun() {
    }

    public static void main(String[] argv) throws Exception {
        ChildStats memory = ChildStats.start();
        Args args = new Args(argv);
        long records = args.getLong("records", 5_000_000);
        int partitions = args.getInt("partitions", 8);
        int parallelism = args.getInt("parallelism", 2);
        Path dir = Files.createDirectories(Path.of(args.require("dir")));
        long warmup = args.getLong("warmup", 0);
        String serializer = args.get("serializer", "kryo");

        SparkConf conf = new SparkConf()
                .setMaster("local[" + parallelism + "]")
                .setAppName("bench-points-cairn")
                .set("spark.ui.enabled", "false")
                .set("spark.local.dir", dir.resolve("local").toString())
                .set("spark.cairn.serializer", serializer)
                .set("spark.serializer", serializer.equals("kryo")
                        ? "org.apache.spark.serializer.KryoSerializer" : "org.apache.spark.serializer.JavaSerializer");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            JobTimes jobs = new JobTimes();
            sc.sc().addSparkListener(jobs);
            if (warmup > 0) {
                JavaRDD<Tuple2<Long, double[]>> w = CairnSpark.checkpoint(SparkRun.pipeline(sc, warmup, partitions),
                        dir.resolve("warmup").toUri().toString());
                w.count();
                SparkRun.MAP_CALLS.reset();
            }
            Path location = dir.resolve("checkpoint");
            JavaRDD<Tuple2<Long, double[]>> data = SparkRun.pipeline(sc, records, partitions);
            long c0 = ChildStats.processCpuNanos();
            long wall0 = System.currentTimeMillis();
            long t0 = System.nanoTime();
            JavaRDD<Tuple2<Long, double[]>> checkpointed = CairnSpark.checkpoint(data, location.toUri().toString());
            long tWritten = System.nanoTime();
            long first = checkpointed.count();
            long t1 = System.nanoTime();
            long wall1 = System.currentTimeMillis();
            long c1 = ChildStats.processCpuNanos();
            long callsAfterCheckpoint = SparkRun.MAP_CALLS.sum();
            long second = checkpointed.count();
            long t2 = System.nanoTime();
            long c2 = ChildStats.processCpuNanos();
            if (first != records || second != records) {
                throw new IllegalStateException("expected " + records + " records twice, found " + first + ", " + second);
            }
            long[] bytes = Result.bytesOnDisk(location, "part-");
            Result result = new Result();
            jobs.putInto(result, wall0, wall1);
            result
                    .put("checkpointMs", Result.millis(t1 - t0))
                    .put("rereadMs", Result.millis(t2 - t1))
                    .put("writeMs", Result.millis(tWritten - t0))
                    .put("firstCountMs", Result.millis(t1 - tWritten))
                    .put("checkpointCpuMs", Result.millis(c1 - c0))
                    .put("rereadCpuMs", Result.millis(c2 - c1))
                    .put("records", first)
                    .put("mapCalls", callsAfterCheckpoint)
                    .put("mapCallsTotal", SparkRun.MAP_CALLS.sum())
                    .put("partBytes", bytes[0])
                    .put("diskBytes", bytes[1])
                    .put("files", bytes[2])
                    .put("peakHeap", memory.peakHeap())
                    .put("peakLiveHeap", memory.peakLiveHeap())
                    .put("peakRss", ChildStats.peakRss())
                    .put("gcMs", ChildStats.gcMillis())
                    .put("gcCount", ChildStats.gcCount())
                    .print();
        }
    }
}
