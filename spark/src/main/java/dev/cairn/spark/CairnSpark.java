package dev.cairn.spark;

import dev.cairn.CheckpointException;
import dev.cairn.Pair;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.config.CairnOptions;
import dev.cairn.spark.internal.CairnCheckpointRDD;
import dev.cairn.spark.internal.CheckpointJob;
import dev.cairn.spark.internal.JvmStorage;
import dev.cairn.spark.internal.Partitioners;
import dev.cairn.spark.internal.Rows;
import dev.cairn.spark.internal.SparkOptions;
import java.net.URI;
import java.util.Iterator;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import scala.Option;
import scala.Tuple2;

/**
 * Checkpoints Spark RDDs and DataFrames through Cairn, and reads Cairn checkpoints into Spark.
 *
 * <p>{@code checkpoint} is eager and reliable: ONE Spark job computes each partition once and
 * writes it as {@code part-NNNNN} under {@code location} (Spark's own {@code RDD.checkpoint()}
 * computes the lineage a second time, SPARK-8582); the driver then commits
 * {@code _manifest.json}, waits until the store lists every part at its size (the listing lag
 * that fails Spark's checkpoint on eventually consistent stores), verifies, and returns an RDD
 * that reads those files: its lineage holds none of the original RDDs. A retried or speculative
 * task, or one whose executor was lost mid-write, never leaves a partial or duplicate part; a
 * failed job commits nothing and removes its parts.
 *
 * <p>{@code location} is the checkpoint directory itself ({@code file:///…}, {@code hdfs://…},
 * {@code s3a://…}, or {@code s3://…} with {@code cairn-storage-s3} on the class path; a path
 * without a scheme resolves against {@code fs.defaultFS}). Writing over a committed checkpoint
 * fails, naming it. Options come from the Spark configuration: {@code spark.cairn.<key>} is
 * Cairn's {@code cairn.<key>} (e.g. {@code spark.cairn.s3.endpoint}); Hadoop-served locations
 * use the SparkContext's Hadoop configuration. Executors build their storage from what the job
 * ships; nothing depends on state only the driver has.
 *
 * <p>Any committed checkpoint is readable, by any application and engine: a location written
 * by {@link #checkpoint(JavaRDD, String)} is readable by {@code CairnContext.readCheckpoint}, and
 * a Cairn dataset's checkpoint location by {@link #readCheckpoint}, for element types that are
 * plain Java (boxed primitives, String, records and other classes Cairn's serializer handles).
 * Pairs are stored as {@link Pair}, DataFrame rows as {@code Object[]} of plain Java values with
 * the schema in the manifest.
 */
public final class CairnSpark {
    /** Manifest metadata: what the records are ({@code rdd}, {@code pairs}, {@code rows}). */
    public static final String RECORDS_KEY = "spark.records";
    /** Manifest metadata: a DataFrame checkpoint's schema, as Spark's JSON. */
    public static final String SCHEMA_KEY = "spark.sql.schema";

    private CairnSpark() {
    }

    /**
     * Writes {@code rdd} to {@code location} in one Spark job, commits, verifies and returns an
     * RDD over the files (same partitions, same partitioner, no lineage).
     *
     * @throws CheckpointException if the location holds a committed checkpoint, the job fails
     *                             (nothing is committed then), or the reload finds a problem
     */
    public static <T> JavaRDD<T> checkpoint(JavaRDD<T> rdd, String location) {
        return checkpointTracked(rdd, location).result();
    }

    /** What a checkpoint returned, and the RDD over its files that everything reading them goes through. */
    record Tracked<R>(R result, CairnCheckpointRDD<?> files) {
    }

    static <T> Tracked<JavaRDD<T>> checkpointTracked(JavaRDD<T> rdd, String location) {
        CairnCheckpointRDD<T> files = CheckpointJob.run(rdd, location, new AsIs(), rdd.rdd().partitioner(),
                Map.of(RECORDS_KEY, "rdd"));
        return new Tracked<>(JavaRDD.fromRDD(files, rdd.classTag()), files);
    }

    /**
     * Writes a pair RDD as {@link #checkpoint(JavaRDD, String)} does, keeping its partitioner
     * (so a join with an RDD partitioned alike needs no shuffle afterwards). Pairs are stored as
     * Cairn {@link Pair}s; Spark's {@code HashPartitioner} as Cairn's, which partitions alike.
     */
    public static <K, V> JavaPairRDD<K, V> checkpoint(JavaPairRDD<K, V> rdd, String location) {
        return checkpointTracked(rdd, location).result();
    }

    static <K, V> Tracked<JavaPairRDD<K, V>> checkpointTracked(JavaPairRDD<K, V> rdd, String location) {
        JavaRDD<Tuple2<K, V>> tuples = JavaRDD.fromRDD(rdd.rdd(), rdd.classTag());
        CairnCheckpointRDD<Pair<K, V>> files = CheckpointJob.run(tuples, location, new TupleToPair(), rdd.rdd().partitioner(),
                Map.of(RECORDS_KEY, "pairs"));
        return new Tracked<>(pairs(files, location), files);
    }

    /**
     * Writes a DataFrame's rows as {@link #checkpoint(JavaRDD, String)} does, with its schema in
     * the manifest, and returns a DataFrame over the files: the same rows (nulls, decimals,
     * timestamps, nested structs, arrays and maps exactly), the same schema, and a plan that no
     * longer holds the original one.
     */
    public static Dataset<Row> checkpoint(Dataset<Row> df, String location) {
        return checkpointTracked(df, location).result();
    }

    static Tracked<Dataset<Row>> checkpointTracked(Dataset<Row> df, String location) {
        StructType schema = df.schema();
        CairnCheckpointRDD<Object[]> files = CheckpointJob.run(df.javaRDD(), location, new RowToStored(schema), Option.empty(),
                Map.of(RECORDS_KEY, "rows", SCHEMA_KEY, schema.json()));
        return new Tracked<>(dataFrame(df.sparkSession(), files, schema), files);
    }

    /**
     * An RDD over the committed checkpoint at {@code location}, written by any application or
     * engine. Waits for a consistent listing and checks the partitioner like the write's reload.
     */
    public static <T> JavaRDD<T> readCheckpoint(JavaSparkContext sc, String location) {
        CairnCheckpointRDD<T> files = open(sc.sc(), location);
        return files.toJavaRDD();
    }

    /**
     * A pair RDD over the committed checkpoint at {@code location} whose records are
     * {@link Pair}s (written by {@link #checkpoint(JavaPairRDD, String)} or by a Cairn keyed
     * dataset), with its partitioner.
     */
    public static <K, V> JavaPairRDD<K, V> readPairCheckpoint(JavaSparkContext sc, String location) {
        CairnCheckpointRDD<Pair<K, V>> files = open(sc.sc(), location);
        return pairs(files, location);
    }

    /** A DataFrame over a checkpoint written by {@link #checkpoint(Dataset, String)}, with the stored schema. */
    public static Dataset<Row> readDataFrame(SparkSession spark, String location) {
        CairnCheckpointRDD<Object[]> files = open(spark.sparkContext(), location);
        CheckpointManifest manifest = files.reader().manifest();
        String json = manifest.metadata() == null ? null : manifest.metadata().get(SCHEMA_KEY);
        if (json == null) {
            throw new CheckpointException("read", files.reader().dataset(), files.reader().location(), CheckpointManifest.FILE_NAME,
                    "expected a DataFrame checkpoint with its schema in the manifest metadata under " + SCHEMA_KEY
                            + ", found none; read it with CairnSpark.readCheckpoint", null);
        }
        return dataFrame(spark, files, (StructType) DataType.fromJson(json));
    }

    private static <T> CairnCheckpointRDD<T> open(SparkContext sc, String location) {
        URI uri = SparkOptions.location(sc, location);
        CairnOptions options = SparkOptions.forLocation(sc, uri);
        CheckpointReader reader = CheckpointReader.open(JvmStorage.registry(options), uri, options);
        return new CairnCheckpointRDD<>(sc, reader, options, Partitioners.toSpark(reader.partitioner(), reader.numPartitions()));
    }

    private static <K, V> JavaPairRDD<K, V> pairs(CairnCheckpointRDD<Pair<K, V>> files, String location) {
        // preservesPartitioning: the tuples keep the partitioner of the file RDD
        JavaRDD<Tuple2<K, V>> tuples = files.toJavaRDD().mapPartitions(new PairsToTuples<K, V>(location), true);
        return JavaPairRDD.fromJavaRDD(tuples);
    }

    private static Dataset<Row> dataFrame(SparkSession spark, CairnCheckpointRDD<Object[]> files, StructType schema) {
        JavaRDD<Row> rows = files.toJavaRDD().map(new StoredToRow(schema));
        return spark.createDataFrame(rows, schema);
    }

    /** Records stored as they are. */
    private static final class AsIs implements CheckpointJob.RecordMapper {
        private static final long serialVersionUID = 1L;

        @Override
        public Object toStored(Object record) {
            return record;
        }
    }

    /** Spark's Tuple2 stored as Cairn's engine-neutral Pair. */
    private static final class TupleToPair implements CheckpointJob.RecordMapper {
        private static final long serialVersionUID = 1L;

        @Override
        public Object toStored(Object record) {
            Tuple2<?, ?> t = (Tuple2<?, ?>) record;
            return new Pair<>(t._1(), t._2());
        }
    }

    /** A Row stored as plain Java values. */
    private static final class RowToStored implements CheckpointJob.RecordMapper {
        private static final long serialVersionUID = 1L;
        private final StructType schema;

        RowToStored(StructType schema) {
            this.schema = schema;
        }

        @Override
        public Object toStored(Object record) {
            return Rows.toStored((Row) record, schema);
        }
    }

    /** Stored values back as a Row. */
    private static final class StoredToRow implements Function<Object[], Row> {
        private static final long serialVersionUID = 1L;
        private final StructType schema;

        StoredToRow(StructType schema) {
            this.schema = schema;
        }

        @Override
        public Row call(Object[] stored) {
            return Rows.fromStored(stored, schema);
        }
    }

    /** Pairs back as tuples; a record that is no Pair fails with the location and what was found. */
    private static final class PairsToTuples<K, V> implements FlatMapFunction<Iterator<Pair<K, V>>, Tuple2<K, V>> {
        private static final long serialVersionUID = 1L;
        private final String location;

        PairsToTuples(String location) {
            this.location = location;
        }

        @Override
        public Iterator<Tuple2<K, V>> call(Iterator<Pair<K, V>> in) {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return in.hasNext();
                }

                @Override
                public Tuple2<K, V> next() {
                    Object o = in.next();
                    if (!(o instanceof Pair)) {
                        throw new dev.cairn.CairnException("Cannot read pair checkpoint: " + location + " (expected records of "
                                + Pair.class.getName() + ", found " + (o == null ? "null" : o.getClass().getName())
                                + "; read it with CairnSpark.readCheckpoint)");
                    }
                    Pair<?, ?> p = (Pair<?, ?>) o;
                    @SuppressWarnings("unchecked")
                    Tuple2<K, V> t = new Tuple2<>((K) p.key(), (V) p.value());
                    return t;
                }
            };
        }
    }
}
