package dev.cairn.spark.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.CreateContainerOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * A real S3 protocol server in this JVM: S3Proxy on a loopback port over an in-memory blob
 * store whose listings can lag behind writes (a new part file is readable at once but listed
 * only after a delay: S3 before December 2020, the store of the failure in
 * {@code shared/seeds/000}). Spark's executors in other JVMs reach it over HTTP like any S3.
 *
 * <p>Written after storage-s3's and storage-hdfs's test servers (which are test code of those
 * modules, not published); this one adds the Spark settings for Cairn ({@code spark.cairn.s3.*})
 * and for S3A ({@code spark.hadoop.fs.s3a.*}).
 */
public final class S3Server implements AutoCloseable {
    /** The credentials the server accepts. */
    public static final String ACCESS_KEY = "cairn-test";
    /** The secret of {@link #ACCESS_KEY}. */
    public static final String SECRET_KEY = "cairn-test-secret";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final BlobStore store;

    private S3Server(S3Proxy proxy, BlobStoreContext context, BlobStore store) {
        this.proxy = proxy;
        this.context = context;
        this.store = store;
    }

    /**
     * Starts a server with {@code buckets}; listings leave out each object for
     * {@code listingLag} after it was written ({@link Duration#ZERO}: consistent).
     */
    public static S3Server start(Duration listingLag, String... buckets) throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder("transient").credentials(ACCESS_KEY, SECRET_KEY)
                .build(BlobStoreContext.class);
        BlobStore store = context.getBlobStore();
        if (!listingLag.isZero()) {
            store = new LaggingListings(store, listingLag);
        }
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start within 30 s: " + proxy.getState());
            }
            Thread.sleep(5); // S3Proxy offers no start callback
        }
        for (String b : buckets) {
            store.createContainerInLocation(null, b, CreateContainerOptions.NONE);
        }
        return new S3Server(proxy, context, store);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** The blob store behind the protocol, to inspect or damage objects directly. */
    public BlobStore blobStore() {
        return store;
    }

    /** Spark settings that point Cairn's {@code s3://} storage at this server. */
    public Map<String, String> cairnSparkConf() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.cairn.s3.endpoint", endpoint());
        m.put("spark.cairn.s3.region", "us-east-1");
        m.put("spark.cairn.s3.path-style-access", "true");
        m.put("spark.cairn.s3.access-key", ACCESS_KEY);
        m.put("spark.cairn.s3.secret-key", SECRET_KEY);
        // S3Proxy checks MD5 content digests, not the SDK's newer default checksums
        m.put("spark.cairn.s3.checksum", "md5");
        return m;
    }

    /** Spark settings that point S3A ({@code s3a://}, Spark's own checkpoint too) at this server. */
    public Map<String, String> s3aSparkConf() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spark.hadoop.fs.s3a.endpoint", endpoint());
        m.put("spark.hadoop.fs.s3a.endpoint.region", "us-east-1");
        m.put("spark.hadoop.fs.s3a.path.style.access", "true");
        m.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
        m.put("spark.hadoop.fs.s3a.access.key", ACCESS_KEY);
        m.put("spark.hadoop.fs.s3a.secret.key", SECRET_KEY);
        m.put("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        m.put("spark.hadoop.fs.s3a.attempts.maximum", "2");
        m.put("spark.hadoop.fs.s3a.retry.limit", "2");
        return m;
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }

    /**
     * Listings leave out each part file for a while after it was written, while GET and HEAD
     * see it at once.
     */
    static final class LaggingListings extends ForwardingBlobStore {
        private final Map<String, Long> listedFrom = new ConcurrentHashMap<>();
        private final long lagNanos;

        LaggingListings(BlobStore delegate, Duration lag) {
            super(delegate);
            this.lagNanos = lag.toNanos();
        }

        private void written(String container, String name) {
            // Only data files lag: a part file (Spark's and Cairn's are both named part-NNNNN,
            // S3A writes a temporary object first and copies it to that name). Directory markers
            // are listed at once, else S3A could not find the checkpoint directory Spark just
            // created, and the demonstration would fail before the failure it is about.
            String file = name.substring(name.lastIndexOf('/') + 1);
            if (file.startsWith("part-")) {
                listedFrom.put(container + "/" + name, System.nanoTime() + lagNanos);
            }
        }

        @Override
        public String putBlob(String container, Blob blob) {
            written(container, blob.getMetadata().getName());
            return super.putBlob(container, blob);
        }

        @Override
        public String putBlob(String container, Blob blob, PutOptions options) {
            written(container, blob.getMetadata().getName());
            return super.putBlob(container, blob, options);
        }

        @Override
        public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
            written(mpu.containerName(), mpu.blobName());
            return super.completeMultipartUpload(mpu, parts);
        }

        // S3A publishes a file by copying its temporary object (rename): the copy is a write too
        @Override
        public String copyBlob(String fromContainer, String fromName, String toContainer, String toName, CopyOptions options) {
            written(toContainer, toName);
            return super.copyBlob(fromContainer, fromName, toContainer, toName, options);
        }

        @Override
        public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
            PageSet<? extends StorageMetadata> page = super.list(container, options);
            long now = System.nanoTime();
            List<StorageMetadata> shown = new ArrayList<>();
            for (StorageMetadata m : page) {
                Long from = listedFrom.get(container + "/" + m.getName());
                if (m.getType() != StorageType.BLOB || from == null || from - now <= 0) {
                    shown.add(m);
                }
            }
            return new PageSetImpl<>(shown, page.getNextMarker());
        }
    }
}
