package dev.cairn.spark.testkit;

import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code local[2]} Spark of one test class: a real SparkSession in the test JVM, two task
 * threads, up to 4 attempts per task (so a test can make a task fail and see it retried), Kryo,
 * no UI. Start it in a static {@code @BeforeAll}, close it in {@code @AfterAll}; Spark allows
 * one SparkContext per JVM at a time, and test classes run one after another.
 */
public final class LocalSpark implements AutoCloseable {
    private final SparkSession session;

    private LocalSpark(SparkSession session) {
        this.session = session;
    }

    /** Starts a session named after the test class, with {@code extra} settings ("key", "value", …). */
    public static LocalSpark start(Class<?> testClass, String... extra) {
        SparkConf conf = defaults(testClass.getSimpleName()).setMaster("local[2,4]");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            conf.set(extra[i], extra[i + 1]);
        }
        return new LocalSpark(SparkSession.builder().config(conf).getOrCreate());
    }

    /** Settings every test driver uses, local or on a cluster. */
    public static SparkConf defaults(String appName) {
        return new SparkConf()
                .setAppName(appName)
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.sql.shuffle.partitions", "4")
                .set("spark.local.dir", Path.of(System.getProperty("cairn.test.work", "target/test-work"), "spark-local")
                        .toAbsolutePath().toString());
    }

    /** The session. */
    public SparkSession session() {
        return session;
    }

    /** Its context, through the Java API. */
    public JavaSparkContext sc() {
        return JavaSparkContext.fromSparkContext(session.sparkContext());
    }

    @Override
    public void close() {
        session.stop();
    }
}
