package dev.cairn.benchmarks.spark;

import dev.cairn.benchmarks.Workload;
import dev.cairn.benchmarks.harness.Args;
import dev.cairn.benchmarks.harness.ChildStats;
import dev.cairn.benchmarks.harness.Result;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * One measured Spark 3.5 run, in a JVM of its own (started by the harness with the
 * {@code --add-opens} flags Spark's launcher adds on Java 17): the workload of
 * {@code dev.cairn.benchmarks.harness.CairnRun} through {@code spark-core} in {@code local[P]}:
 * {@code sc.range(0, records, 1, partitions).map(id -> (id, features))}, {@code checkpoint()},
 * {@code count()}, {@code count()} again (from the checkpoint).
 *
 * <p>Arguments: {@code --records N --partitions 8 --parallelism 2 --serializer kryo|java
 * --dir /tmp/x --warmup N}. Spark's settings are its defaults otherwise (Kryo unregistered with
 * reference tracking, checkpoint compression off, no UI).
 */
public final class SparkRun {
    /** Calls of the map function. Local mode runs tasks in this JVM, so a static counter sees them all. */
    static final LongAdder MAP_CALLS = new LongAdder();

    private SparkRun() {
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
                .setAppName("bench-points")
                .set("spark.ui.enabled", "false")
                .set("spark.local.dir", dir.resolve("local").toString())
                .set("spark.serializer", serializer.equals("kryo")
                        ? "org.apache.spark.serializer.KryoSerializer" : "org.apache.spark.serializer.JavaSerializer");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            JobTimes jobs = new JobTimes();
            sc.sc().addSparkListener(jobs);
            sc.setCheckpointDir(dir.resolve("checkpoints").toUri().toString());
            if (warmup > 0) {
                JavaRDD<Tuple2<Long, double[]>> w = pipeline(sc, warmup, partitions);
                w.checkpoint();
                w.count();
                w.count();
                MAP_CALLS.reset();
            }
            JavaRDD<Tuple2<Long, double[]>> data = pipeline(sc, records, partitions);
            data.checkpoint();
            long c0 = ChildStats.processCpuNanos();
            long wall0 = System.currentTimeMillis();
            long t0 = System.nanoTime();
            long first = data.count();
            long t1 = System.nanoTime();
            long wall1 = System.currentTimeMillis();
            long c1 = ChildStats.processCpuNanos();
            long callsAfterCheckpoint = MAP_CALLS.sum();
            long second = data.count();
            long t2 = System.nanoTime();
            long c2 = ChildStats.processCpuNanos();
            if (first != records || second != records || !data.isCheckpointed()) {
                throw new IllegalStateException("expected " + records + " records twice and a checkpoint, found " + first + ", "
                        + second + ", checkpointed=" + data.isCheckpointed());
            }
            Path location = Path.of(URI.create(data.getCheckpointFile().get()));
            long[] bytes = Result.bytesOnDisk(location, "part-");
            Result result = new Result();
            jobs.putInto(result, wall0, wall1);
            result
                    .put("checkpointMs", Result.millis(t1 - t0))
                    .put("rereadMs", Result.millis(t2 - t1))
                    .put("checkpointCpuMs", Result.millis(c1 - c0))
                    .put("rereadCpuMs", Result.millis(c2 - c1))
                    .put("records", first)
                    .put("mapCalls", callsAfterCheckpoint)
                    .put("mapCallsTotal", MAP_CALLS.sum())
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

    @SuppressWarnings("unchecked")
    static JavaRDD<Tuple2<Long, double[]>> pipeline(JavaSparkContext sc, long records, int partitions) {
        // sc.range is Scala's RDD[Long]; its elements are boxed java.lang.Long at run time.
        JavaRDD<Object> ids = sc.sc().range(0L, records, 1L, partitions).toJavaRDD();
        return ids.map(o -> {
            MAP_CALLS.increment();
            long id = (Long) o;
            return new Tuple2<>(id, Workload.features(id));
        });
    }
}
