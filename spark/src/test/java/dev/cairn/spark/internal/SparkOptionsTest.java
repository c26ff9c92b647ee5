package dev.cairn.spark.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

/** Cairn's settings as Spark hands them over: precedence, and a mistyped key refused by name. */
class SparkOptionsTest {
    private static final URI LOCATION = URI.create("s3://bucket/streaming/query-1");

    @Test
    void sparkCairnKeysWinOverCairnKeysOfTheHadoopConfiguration() {
        Configuration conf = new Configuration(false);
        conf.set("cairn.checkpoint.compression", "zstd");
        conf.set("spark.cairn.checkpoint.compression", "lz4");
        conf.set("spark.cairn.s3.endpoint", "http://127.0.0.1:9000");
        CairnOptions options = SparkOptions.forHadoopConf(conf, LOCATION);
        assertEquals("lz4", options.getString("cairn.checkpoint.compression", null));
        assertEquals("http://127.0.0.1:9000", options.getString("cairn.s3.endpoint", null));
    }

    @Test
    void aMistypedSettingFailsNamingTheSparkKeyAndTheNearestKnownOne() {
        Configuration conf = new Configuration(false);
        conf.set("spark.cairn.s3.endpint", "http://127.0.0.1:9000");
        CairnException e = assertThrows(CairnException.class, () -> SparkOptions.forHadoopConf(conf, LOCATION));
        assertTrue(e.getMessage().contains("'cairn.s3.endpint'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'cairn.s3.endpoint'"), e.getMessage());
        assertTrue(e.getMessage().contains("spark.cairn.s3.endpint"), e.getMessage());
        assertTrue(e.getMessage().contains(LOCATION.toString()), e.getMessage());
    }
}
