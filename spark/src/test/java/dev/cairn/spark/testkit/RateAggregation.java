package dev.cairn.spark.testkit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.sum;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * The streaming query of the checkpoint tests: Spark's {@code rate-micro-batch} source (batch
 * {@code b} holds exactly the values {@code b·R … (b+1)·R − 1}, whenever it runs, so a batch run
 * again after a crash must produce the same rows) → a stateful aggregation (count and sum of the
 * values per {@code value mod 7}) → {@code foreachBatch} in complete mode, so each batch's output
 * is the whole state after it. What one uninterrupted run produces for batch {@code b} is
 * therefore known in closed form ({@link #expected}), and a restarted query is exact when every
 * batch's output equals it.
 */
public final class RateAggregation {
    /** Distinct keys. */
    public static final int KEYS = 7;

    private RateAggregation() {
    }

    /**
     * Starts the query on {@code checkpoint}; {@code sink} gets each batch's id and rendered
     * output ({@link #render}) on the driver.
     */
    public static StreamingQuery start(SparkSession spark, String checkpoint, int rowsPerBatch, long triggerMs,
                                       Map<String, String> writerOptions, BatchSink sink) throws TimeoutException {
        Dataset<Row> rate = spark.readStream().format("rate-micro-batch")
                .option("rowsPerBatch", rowsPerBatch)
                .option("numPartitions", 2)
                .load();
        Dataset<Row> counts = rate.groupBy(pmod(col("value"), lit(KEYS)).as("key"))
                .agg(count(lit(1)).as("n"), sum(col("value")).as("total"));
        VoidFunction2<Dataset<Row>, Long> each = (df, id) -> sink.accept(id, render(df.collectAsList()));
        return counts.writeStream()
                .outputMode("complete")
                .options(writerOptions)
                .option("checkpointLocation", checkpoint)
                .trigger(Trigger.ProcessingTime(triggerMs))
                .foreachBatch(each)
                .start();
    }

    /** One batch's rows as sorted text: {@code key:count:sum} joined by spaces. */
    public static String render(List<Row> rows) {
        List<String> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(((Number) r.get(0)).longValue() + ":" + ((Number) r.get(1)).longValue() + ":" + ((Number) r.get(2)).longValue());
        }
        out.sort(null);
        return String.join(" ", out);
    }

    /** What an uninterrupted run outputs for batch {@code batchId}: the aggregate of values 0 … (b+1)·R − 1. */
    public static String expected(long batchId, int rowsPerBatch) {
        long values = (batchId + 1) * rowsPerBatch;
        List<String> out = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            long n = values / KEYS + (k < values % KEYS ? 1 : 0);
            if (n > 0) {
                out.add(k + ":" + n + ":" + (n * k + KEYS * n * (n - 1) / 2));
            }
        }
        out.sort(null);
        return String.join(" ", out);
    }

    /** Receives each batch on the driver. */
    @FunctionalInterface
    public interface BatchSink extends java.io.Serializable {
        /** Batch {@code batchId} produced {@code output}. */
        void accept(long batchId, String output) throws Exception;
    }
}
