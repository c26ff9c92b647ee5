package dev.cairn.spark.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;

/**
 * A Spark driver as its own JVM, as the seed article runs it (a restartable job whose checkpoint
 * sits on a shared volume): runs {@link RateAggregation} with its checkpoint at
 * {@code checkpoint=…} and writes each batch's output to {@code out=…/batch-<id>} (atomically,
 * replacing a replay's file). A batch run again with different output leaves
 * {@code conflict-<id>-…} next to it, which the test treats as a failure.
 *
 * <p>Arguments, {@code key=value}: {@code checkpoint}, {@code out}, {@code rows} (per batch),
 * {@code trigger} (ms), {@code until} (stop cleanly once this batch is written; default: run
 * until killed), and any {@code spark.*} setting. Prints {@code STARTED}, {@code RESUMED <id>} (the
 * first batch this run wrote), {@code BATCH <id>} after each batch's output is written, and
 * {@code STOPPED}.
 */
public final class StreamingDriver {
    /** How long a test waits for a driver to come up and start its query. */
    public static final long START_TIMEOUT_SECONDS = TimeUnit.MINUTES.toSeconds(3);

    private StreamingDriver() {
    }

    /** See the class javadoc. */
    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        SparkConf conf = LocalSpark.defaults("streaming-driver").setMaster("local[2]");
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String key = arg.substring(0, eq);
            String value = arg.substring(eq + 1);
            if (key.startsWith("spark.")) {
                conf.set(key, value);
            } else {
                a.put(key, value);
            }
        }
        Path out = Path.of(a.get("out"));
        Files.createDirectories(out);
        long until = Long.parseLong(a.getOrDefault("until", "-1"));
        AtomicBoolean first = new AtomicBoolean(true);
        AtomicLong last = new AtomicLong(-1);
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        StreamingQuery query = RateAggregation.start(spark, a.get("checkpoint"), Integer.parseInt(a.get("rows")),
                Long.parseLong(a.getOrDefault("trigger", "100")), Map.of(), (id, output) -> {
                    writeBatch(out, id, output);
                    if (first.getAndSet(false)) {
                        System.out.println("RESUMED " + id);
                    }
                    System.out.println("BATCH " + id);
                    last.set(id);
                });
        System.out.println("STARTED " + query.id());
        while (until < 0 || last.get() < until) {
            if (query.awaitTermination(100)) {
                System.out.println("ENDED " + query.exception());
                System.exit(3);
            }
        }
        query.stop();
        spark.stop();
        System.out.println("STOPPED");
        System.exit(0);
    }

    private static void writeBatch(Path out, long id, String output) throws IOException {
        Path file = out.resolve("batch-" + id);
        byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
        if (Files.exists(file)) {
            String before = Files.readString(file, StandardCharsets.UTF_8);
            if (!before.equals(output)) {
                Files.writeString(out.resolve("conflict-" + id + "-" + System.nanoTime()), "before: " + before + "\nafter:  " + output);
            }
        }
        Path temp = out.resolve(".batch-" + id + "." + ProcessHandle.current().pid() + "." + System.nanoTime());
        Files.write(temp, bytes);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

}
