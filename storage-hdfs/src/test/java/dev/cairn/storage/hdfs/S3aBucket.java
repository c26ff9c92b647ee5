package dev.cairn.storage.hdfs;

import dev.cairn.storage.tck.StorageContractTest;
import dev.cairn.testkit.S3ProxyServer;
import java.net.URI;
import java.util.Map;
import java.util.UUID;

/**
 * A bucket on an S3 protocol server in this JVM (the test kit's S3Proxy over an in-memory store),
 * reached through {@code s3a://}, for one test class (a static {@code @RegisterExtension} field).
 */
final class S3aBucket extends PerClass<S3ProxyServer> {
    private final String bucket;

    S3aBucket(String bucket) {
        super(() -> S3ProxyServer.start(bucket));
        this.bucket = bucket;
    }

    /** {@code s3a://<bucket>}. */
    URI uri() {
        return URI.create("s3a://" + bucket);
    }

    /** A fresh directory {@code <name>/<random>} in the bucket. */
    URI newDirectory(String name) {
        return StorageContractTest.child(uri(), name + "/" + UUID.randomUUID());
    }

    /**
     * The Cairn options that point S3A at the server (endpoint override, path-style access, plain
     * HTTP, static credentials, a region so that S3A does not probe for one), with 5 MiB parts and
     * two attempts. Listings stay s3a's default, {@code eventual}.
     */
    Map<String, String> options() {
        Map<String, String> o = get().s3aOptions("cairn.hadoop.");
        // 5 MiB parts (S3's minimum), so that files of a few MiB take the multipart path too.
        o.put("cairn.hadoop.fs.s3a.multipart.size", "5M");
        o.put("cairn.hadoop.fs.s3a.attempts.maximum", "2");
        o.put("cairn.hadoop.fs.s3a.retry.limit", "2");
        // S3Proxy 2.6 answers 501 to the CRC32 the AWS SDK (2.30 and later) adds to DeleteObjects: delete key by key.
        o.put("cairn.hadoop.fs.s3a.multiobjectdelete.enable", "false");
        return o;
    }

    /**
     * {@link #options()} with {@code strong} listings, as the storage-tck suites expect of their
     * backends: S3Proxy over an in-memory store lists consistently, and with s3a's default
     * {@code eventual} a deleted or truncated part looks like a late one, so the suites'
     * missing-part tests would wait out the 60 s listing timeout for a {@code ListingTimeoutException}.
     */
    Map<String, String> strongListingOptions() {
        Map<String, String> o = options();
        o.put(HadoopStorageProvider.S3A_LISTING_CONSISTENCY, "strong");
        return o;
    }
}
