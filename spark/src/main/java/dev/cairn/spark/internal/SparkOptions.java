package dev.cairn.spark.internal;

import dev.cairn.CairnException;
import dev.cairn.KnownOptions;
import dev.cairn.config.CairnOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import scala.Tuple2;

/**
 * Cairn's options for one checkpoint location, from a Spark application's configuration:
 * {@code spark.cairn.<key>} becomes {@code cairn.<key>}; for a location that a Hadoop
 * {@code FileSystem} serves ({@code hdfs://}, {@code s3a://}, …) the SparkContext's Hadoop
 * configuration travels too, as {@code cairn.hadoop.<key>} entries, so executors reach the store
 * exactly as the driver's Hadoop configuration says. An explicit {@code spark.cairn.hadoop.<key>}
 * wins over the Hadoop configuration's value. Not API.
 */
public final class SparkOptions {
    /** Prefix of Cairn's options in a SparkConf. */
    public static final String SPARK_PREFIX = "spark.cairn.";
    /** Schemes Cairn serves without Hadoop: their locations need no Hadoop configuration. */
    private static final Set<String> NOT_HADOOP = Set.of("file", "s3", "memory");

    private SparkOptions() {
    }

    /** The options for {@code location}, read from {@code sc}. */
    public static CairnOptions forLocation(SparkContext sc, URI location) {
        Map<String, String> out = new TreeMap<>();
        if (location.getScheme() != null && !NOT_HADOOP.contains(location.getScheme().toLowerCase(java.util.Locale.ROOT))) {
            out.putAll(hadoopEntries(sc.hadoopConfiguration()));
        }
        out.putAll(fromSparkConf(sc.getConf()));
        return checked(out, location);
    }

    /**
     * The options for {@code location}, read from a Hadoop configuration alone: what Spark hands a
     * streaming {@code CheckpointFileManager} (the session's configuration copied into Hadoop's, so
     * it holds every {@code spark.*} setting of the SparkConf and the session). In increasing
     * precedence: the Hadoop settings as {@code cairn.hadoop.<key>} (Hadoop-served locations only),
     * {@code cairn.<key>} entries ({@code spark.hadoop.cairn.<key>}, or a site file), and
     * {@code spark.cairn.<key>}.
     */
    public static CairnOptions forHadoopConf(Configuration conf, URI location) {
        Map<String, String> out = new TreeMap<>();
        if (location.getScheme() != null && !NOT_HADOOP.contains(location.getScheme().toLowerCase(java.util.Locale.ROOT))) {
            out.putAll(hadoopEntries(conf));
        }
        Map<String, String> spark = new TreeMap<>();
        for (Map.Entry<String, String> e : conf) {
            if (e.getKey().startsWith("cairn.")) {
                out.put(e.getKey(), e.getValue());
            } else if (e.getKey().startsWith(SPARK_PREFIX)) {
                spark.put("cairn." + e.getKey().substring(SPARK_PREFIX.length()), e.getValue());
            }
        }
        out.putAll(spark);
        return checked(out, location);
    }

    /**
     * The options, once every {@code cairn.*} key is known to Cairn with the storage modules on
     * this class path: a mistyped {@code spark.cairn.*} setting fails here, naming the nearest
     * key, instead of being ignored.
     */
    private static CairnOptions checked(Map<String, String> entries, URI location) {
        CairnOptions options = CairnOptions.of(entries);
        KnownOptions known = KnownOptions.discover(SparkOptions.class.getClassLoader(), options);
        for (String key : entries.keySet()) {
            known.problem(key).ifPresent(p -> {
                throw new CairnException("Cannot use checkpoint location " + location + ": " + p + "; Spark takes it as "
                        + SPARK_PREFIX + key.substring("cairn.".length()));
            });
        }
        return options;
    }

    /** {@code spark.cairn.<key>} as {@code cairn.<key>}. */
    static Map<String, String> fromSparkConf(SparkConf conf) {
        Map<String, String> out = new TreeMap<>();
        for (Tuple2<String, String> e : conf.getAllWithPrefix(SPARK_PREFIX)) {
            out.put("cairn." + e._1(), e._2());
        }
        return out;
    }

    /**
     * The Hadoop settings that are not Hadoop's defaults (set by Spark from {@code spark.hadoop.*},
     * by the application, or read from site files), as {@code cairn.hadoop.<key>}. Defaults are
     * left out: every executor's Hadoop has them already, and the spec stays small.
     */
    static Map<String, String> hadoopEntries(Configuration conf) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : conf) {
            // Hadoop reads neither Spark's settings (a session's Hadoop configuration holds them
            // all) nor Cairn's own; shipping them would only make the options differ per query.
            if (e.getKey().startsWith("spark.") || e.getKey().startsWith("cairn.")) {
                continue;
            }
            String[] sources = conf.getPropertySources(e.getKey());
            if (sources != null && sources.length > 0 && allDefaults(sources)) {
                continue;
            }
            out.put("cairn.hadoop." + e.getKey(), e.getValue());
        }
        return out;
    }

    private static boolean allDefaults(String[] sources) {
        for (String s : sources) {
            if (!s.endsWith("-default.xml")) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code location} as a URI. A path without a scheme is resolved as Spark resolves its own
     * checkpoint directory: against the Hadoop default file system ({@code fs.defaultFS}).
     */
    public static URI location(SparkContext sc, String location) {
        if (location == null || location.isBlank()) {
            throw new CairnException("Cannot use checkpoint location: '" + location
                    + "' (expected a URI such as file:///tmp/ckpt, hdfs://nn/ckpt or s3://bucket/ckpt, found none)");
        }
        URI uri;
        try {
            uri = new URI(location);
        } catch (URISyntaxException e) {
            throw new CairnException("Cannot use checkpoint location: " + location + " (expected a URI, found a string that is"
                    + " not one: " + e.getMessage() + "; escape spaces and special characters)", e);
        }
        if (uri.getScheme() == null) {
            URI fs = FileSystem.getDefaultUri(sc.hadoopConfiguration());
            String path = uri.getPath().startsWith("/") ? uri.getPath()
                    : System.getProperty("user.dir") + "/" + uri.getPath();
            try {
                uri = new URI(fs.getScheme(), fs.getAuthority() == null ? "" : fs.getAuthority(), path, null, null);
            } catch (URISyntaxException e) {
                throw new CairnException("Cannot use checkpoint location: " + location + " (expected a path, found one that does"
                        + " not resolve against fs.defaultFS " + fs + ")", e);
            }
        }
        String s = uri.toString();
        if (s.endsWith("/") && s.length() > uri.getScheme().length() + 4) {
            uri = URI.create(s.substring(0, s.length() - 1));
        }
        return uri;
    }
}
