package dev.cairn.spark.testkit;

import dev.cairn.testkit.S3ProxyServer;
import dev.cairn.testkit.UploadFailures;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.jclouds.blobstore.BlobStore;

/**
 * The test kit's in-process S3Proxy ({@link S3ProxyServer}) as Spark's tests use it: listings that
 * lag behind writes for chosen files (a new file is readable at once but listed only after a
 * delay: S3 before December 2020, the store of the failure in {@code shared/seeds/000}), and the
 * Spark settings that point Cairn ({@code spark.cairn.s3.*}) and S3A ({@code spark.hadoop.fs.s3a.*})
 * at it. Spark's executors and drivers in other JVMs reach it over HTTP like any S3. It runs in
 * the test JVM beside Spark: Spark's own Jetty is relocated ({@code org.sparkproject.jetty}), so
 * S3Proxy's does not clash with it.
 */
public final class S3Server implements AutoCloseable {
    private final S3ProxyServer server;

    private S3Server(S3ProxyServer server) {
        this.server = server;
    }

    /**
     * Starts a server with {@code buckets}; listings leave out each part file ({@code part-…}) for
     * {@code listingLag} after it was written ({@link Duration#ZERO}: consistent). Spark's and
     * Cairn's data files are both named part-NNNNN (S3A writes a temporary object first and copies
     * it to that name). Directory markers are listed at once, else S3A could not find the
     * checkpoint directory Spark just created, and the demonstration would fail before the failure
     * it is about.
     */
    public static S3Server start(Duration listingLag, String... buckets) throws Exception {
        return start(listingLag, name -> name.startsWith("part-"), buckets);
    }

    /**
     * Starts a server with {@code buckets}; listings leave out each object whose file name (the
     * key's last segment) {@code lagging} accepts for {@code listingLag} after it was written.
     */
    public static S3Server start(Duration listingLag, Predicate<String> lagging, String... buckets) throws Exception {
        return new S3Server(S3ProxyServer.builder().buckets(buckets)
                .listingDelay(listingLag, key -> lagging.test(key.substring(key.lastIndexOf('/') + 1))).start());
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return server.endpoint().toString();
    }

    /** The blob store behind the protocol (lagging listings included), to inspect or damage objects directly. */
    public BlobStore blobStore() {
        return server.blobStore();
    }

    /** Spark settings that point Cairn's {@code s3://} storage at this server. */
    public Map<String, String> cairnSparkConf() {
        Map<String, String> m = server.s3Options("spark.cairn.");
        // S3Proxy checks MD5 content digests, not the SDK's newer default checksums
        m.put("spark.cairn.s3.checksum", "md5");
        return m;
    }

    /** Spark settings that point S3A ({@code s3a://}, Spark's own checkpoint too) at this server. */
    public Map<String, String> s3aSparkConf() {
        Map<String, String> m = server.s3aOptions("spark.hadoop.");
        m.put("spark.hadoop.fs.s3a.attempts.maximum", "2");
        m.put("spark.hadoop.fs.s3a.retry.limit", "2");
        return m;
    }

    /** {@link S3ProxyServer#failUploads}: the next {@code times} uploads of matching keys fail inside the server. */
    public UploadFailures failUploads(Predicate<String> keys, int times) {
        return server.failUploads(keys, times);
    }

    @Override
    public void close() {
        server.close();
    }
}
