package dev.cairn.spark.testkit;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
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
import org.jclouds.io.Payload;

/**
 * A real S3 protocol server in this JVM: S3Proxy on a loopback port over an in-memory blob
 * store whose listings can lag behind writes (a new file is readable at once but listed only
 * after a delay: S3 before December 2020, the store of the failure in
 * {@code shared/seeds/000}), and whose uploads can be made to fail inside the server. Spark's
 * executors and drivers in other JVMs reach it over HTTP like any S3.
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
    private final TestBlobStore store;

    private S3Server(S3Proxy proxy, BlobStoreContext context, TestBlobStore store) {
        this.proxy = proxy;
        this.context = context;
        this.store = store;
    }

    /**
     * Starts a server with {@code buckets}; listings leave out each part file ({@code part-…}) for
     * {@code listingLag} after it was written ({@link Duration#ZERO}: consistent).
     */
    public static S3Server start(Duration listingLag, String... buckets) throws Exception {
        return start(listingLag, TestBlobStore::isPartFile, buckets);
    }

    /**
     * Starts a server with {@code buckets}; listings leave out each object whose file name (the
     * key's last segment) {@code lagging} accepts for {@code listingLag} after it was written.
     */
    public static S3Server start(Duration listingLag, Predicate<String> lagging, String... buckets) throws Exception {
        BlobStoreContext context = ContextBuilder.newBuilder("transient").credentials(ACCESS_KEY, SECRET_KEY)
                .build(BlobStoreContext.class);
        TestBlobStore store = new TestBlobStore(context.getBlobStore(), listingLag, lagging);
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
     * Makes the next {@code times} uploads of objects whose key {@code keys} accepts fail inside
     * the server (a PUT, a part of a multipart upload, or its completion), which answers them with
     * an error as a failing store would. Returns a handle that counts the failures served.
     */
    public Faults failUploads(Predicate<String> keys, int times) {
        return store.failUploads(keys, times);
    }

    /** Upload failures armed by {@link #failUploads}. */
    public static final class Faults {
        private final Predicate<String> keys;
        private final AtomicInteger left;
        private final AtomicInteger served = new AtomicInteger();

        Faults(Predicate<String> keys, int times) {
            this.keys = keys;
            this.left = new AtomicInteger(times);
        }

        /** How many uploads failed so far. */
        public int served() {
            return served.get();
        }

        void maybeFail(String operation, String key) {
            if (keys.test(key) && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                served.incrementAndGet();
                throw new IllegalStateException("injected failure of " + operation + " " + key);
            }
        }
    }

    /**
     * The blob store behind the protocol: listings leave out chosen files for a while after they
     * were written, while GET and HEAD see them at once; uploads fail on demand.
     */
    static final class TestBlobStore extends ForwardingBlobStore {
        private final Map<String, Long> listedFrom = new ConcurrentHashMap<>();
        private final long lagNanos;
        private final Predicate<String> lagging;
        private volatile Faults faults = new Faults(k -> false, 0);

        TestBlobStore(BlobStore delegate, Duration lag, Predicate<String> lagging) {
            super(delegate);
            this.lagNanos = lag.toNanos();
            this.lagging = lagging;
        }

        /**
         * Spark's and Cairn's data files are both named part-NNNNN (S3A writes a temporary object
         * first and copies it to that name). Directory markers are listed at once, else S3A could
         * not find the checkpoint directory Spark just created, and the demonstration would fail
         * before the failure it is about.
         */
        static boolean isPartFile(String fileName) {
            return fileName.startsWith("part-");
        }

        Faults failUploads(Predicate<String> keys, int times) {
            Faults f = new Faults(keys, times);
            faults = f;
            return f;
        }

        private void written(String container, String name) {
            if (lagNanos > 0 && lagging.test(name.substring(name.lastIndexOf('/') + 1))) {
                listedFrom.put(container + "/" + name, System.nanoTime() + lagNanos);
            }
        }

        @Override
        public String putBlob(String container, Blob blob) {
            faults.maybeFail("PUT", blob.getMetadata().getName());
            written(container, blob.getMetadata().getName());
            return super.putBlob(container, blob);
        }

        @Override
        public String putBlob(String container, Blob blob, PutOptions options) {
            faults.maybeFail("PUT", blob.getMetadata().getName());
            written(container, blob.getMetadata().getName());
            return super.putBlob(container, blob, options);
        }

        @Override
        public MultipartPart uploadMultipartPart(MultipartUpload mpu, int partNumber, Payload payload) {
            faults.maybeFail("UploadPart " + partNumber + " of", mpu.blobName());
            return super.uploadMultipartPart(mpu, partNumber, payload);
        }

        @Override
        public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
            faults.maybeFail("CompleteMultipartUpload", mpu.blobName());
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
            if (listedFrom.isEmpty()) {
                return page;
            }
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
