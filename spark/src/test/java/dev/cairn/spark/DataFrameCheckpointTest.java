package dev.cairn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CheckpointException;
import dev.cairn.spark.testkit.LocalSpark;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CairnSpark#checkpoint(Dataset, String)} and {@link CairnSpark#readDataFrame}: the
 * schema is stored with the checkpoint, rows come back exactly (nulls, decimals, timestamps,
 * dates, binary, NaN, nested structs, arrays and maps), and the plan no longer holds the
 * original one.
 */
class DataFrameCheckpointTest {
    private static LocalSpark local;
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        // and every checkpoint of this class is read back once on executors before it returns
        local = LocalSpark.start(DataFrameCheckpointTest.class, "spark.cairn.checkpoint.verify", "checksum");
        spark = local.session();
    }

    @AfterAll
    static void stop() {
        local.close();
    }

    private static final StructType INNER = new StructType(new StructField[] {
        DataTypes.createStructField("a", DataTypes.IntegerType, true),
        DataTypes.createStructField("xs", DataTypes.createArrayType(
                new StructType().add("x", DataTypes.DoubleType, true), true), true)});

    private static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("name", DataTypes.StringType, true),
        DataTypes.createStructField("price", DataTypes.createDecimalType(38, 18), true),
        DataTypes.createStructField("small", DataTypes.createDecimalType(10, 2), true),
        DataTypes.createStructField("at", DataTypes.TimestampType, true),
        DataTypes.createStructField("day", DataTypes.DateType, true),
        DataTypes.createStructField("ok", DataTypes.BooleanType, true),
        DataTypes.createStructField("ratio", DataTypes.FloatType, true),
        DataTypes.createStructField("bytes", DataTypes.BinaryType, true),
        DataTypes.createStructField("tags", DataTypes.createArrayType(DataTypes.StringType, true), true),
        DataTypes.createStructField("grid", DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.LongType, true), true), true),
        DataTypes.createStructField("attrs", DataTypes.createMapType(DataTypes.StringType, DataTypes.IntegerType, true), true),
        DataTypes.createStructField("inner", INNER, true)});

    private static Row row(long i) {
        boolean nulls = i % 7 == 3;
        Map<String, Integer> attrs = new LinkedHashMap<>();
        attrs.put("k" + i, (int) i);
        attrs.put("none", null);
        return RowFactory.create(
                i,
                nulls ? null : "name-" + i,
                nulls ? null : new BigDecimal("12345678901234567890.123456789012345678").add(BigDecimal.valueOf(i)),
                nulls ? null : new BigDecimal(i + ".25"),
                nulls ? null : new Timestamp(1_700_000_000_000L + i * 1_000L + 123),
                nulls ? null : Date.valueOf("2024-02-" + (10 + i % 19)),
                nulls ? null : i % 2 == 0,
                i % 11 == 0 ? Float.NaN : (float) i / 3,
                nulls ? null : new byte[] {(byte) i, 0, -1},
                nulls ? null : Arrays.asList("a" + i, null, "c"),
                nulls ? null : Arrays.asList(Arrays.asList(i, i + 1), null, new ArrayList<Long>()),
                nulls ? null : attrs,
                nulls ? null : RowFactory.create((int) i, Arrays.asList(RowFactory.create(i * 1.5), RowFactory.create((Object) null))));
    }

    private Dataset<Row> frame() {
        List<Row> rows = new ArrayList<>();
        LongStream.range(0, 300).forEach(i -> rows.add(row(i)));
        // a plan with a filter and a projection above the data: what the checkpoint must cut
        return spark.createDataFrame(rows, SCHEMA).repartition(5).filter("id >= 0").selectExpr("*");
    }

    @Test
    void rowsAndSchemaRoundTripExactlyAndThePlanIsCut() {
        Dataset<Row> df = frame();
        List<Row> expected = df.collectAsList();
        String location = dir.resolve("frame").toUri().toString();

        Dataset<Row> back = CairnSpark.checkpoint(df, location);
        assertEquals(SCHEMA, back.schema());
        assertEquals(expected, back.collectAsList());
        assertEquals(5, back.javaRDD().getNumPartitions());
        String plan = back.queryExecution().logical().toString();
        assertTrue(plan.contains("LogicalRDD"), plan);
        assertFalse(plan.contains("Filter") || plan.contains("Repartition") || plan.contains("LocalRelation"), plan);

        Dataset<Row> read = CairnSpark.readDataFrame(spark, location);
        assertEquals(SCHEMA, read.schema());
        assertEquals(expected, read.collectAsList());
        // and it behaves as a DataFrame: SQL over the restored rows
        assertEquals(df.filter("price IS NULL").count(), read.filter("price IS NULL").count());
        assertEquals(df.selectExpr("sum(small)").first(), read.selectExpr("sum(small)").first());
    }

    @Test
    void readingAnRddCheckpointAsADataFrameSaysWhatIsMissing() {
        String location = dir.resolve("rdd").toUri().toString();
        CairnSpark.checkpoint(local.sc().parallelize(List.of(1, 2, 3), 1), location);
        CheckpointException e = assertThrows(CheckpointException.class, () -> CairnSpark.readDataFrame(spark, location));
        assertTrue(e.getMessage().contains("_manifest.json") && e.getMessage().contains(CairnSpark.SCHEMA_KEY), e.getMessage());
    }
}
