package dev.cairn.cli;

import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * An S3 protocol server in the test JVM (S3Proxy over jclouds' in-memory blob store) with one
 * bucket, for one test class; the {@code cairn} process under test talks to it over HTTP with the
 * real AWS SDK. Reads of chosen keys can be made to fail with a server error, as a store in
 * trouble does.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "cairn-cli-access";
    static final String SECRET_KEY = "cairn-cli-secret-8f3a";

    private final BlobStoreContext blobStores;
    private final FailingReads store;
    private final S3Proxy proxy;
    private final String bucket;

    private S3ProxyServer(BlobStoreContext blobStores, FailingReads store, S3Proxy proxy, String bucket) {
        this.blobStores = blobStores;
        this.store = store;
        this.proxy = proxy;
        this.bucket = bucket;
    }

    static S3ProxyServer start(String bucket) throws Exception {
        // By metadata, not by the id "transient": a lookup by id instantiates every jclouds provider on the class path.
        BlobStoreContext context = ContextBuilder.newBuilder(new TransientApiMetadata())
                .credentials(ACCESS_KEY, SECRET_KEY)
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, bucket);
        FailingReads store = new FailingReads(context.getBlobStore());
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start in 30 s, state " + proxy.getState());
            }
            Thread.sleep(10); // Jetty offers no start callback through S3Proxy
        }
        return new S3ProxyServer(context, store, proxy, bucket);
    }

    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    String bucket() {
        return bucket;
    }

    /** The blob store behind the protocol, to damage objects directly. */
    BlobStore blobStore() {
        return store.delegate();
    }

    /** From now on, GETs of keys matching {@code keys} fail with a server error (HTTP 500). */
    void failReads(Predicate<String> keys) {
        store.failing = keys;
    }

    /** Options that point {@code s3://} at this server. */
    Map<String, String> s3Options() {
        Map<String, String> o = new TreeMap<>();
        o.put("cairn.s3.endpoint", endpoint());
        o.put("cairn.s3.region", "us-east-1");
        o.put("cairn.s3.path-style-access", "true");
        o.put("cairn.s3.access-key", ACCESS_KEY);
        o.put("cairn.s3.secret-key", SECRET_KEY);
        o.put("cairn.s3.listing.consistency", "strong");
        return o;
    }

    /** Options that point {@code s3a://} (Hadoop's S3A, through storage-hdfs) at this server. */
    Map<String, String> s3aOptions() {
        Map<String, String> o = new TreeMap<>();
        o.put("cairn.hadoop.fs.s3a.endpoint", endpoint());
        o.put("cairn.hadoop.fs.s3a.endpoint.region", "us-east-1");
        o.put("cairn.hadoop.fs.s3a.path.style.access", "true");
        o.put("cairn.hadoop.fs.s3a.connection.ssl.enabled", "false");
        o.put("cairn.hadoop.fs.s3a.access.key", ACCESS_KEY);
        o.put("cairn.hadoop.fs.s3a.secret.key", SECRET_KEY);
        o.put("cairn.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        o.put("cairn.hadoop.fs.s3a.attempts.maximum", "1");
        o.put("cairn.hadoop.fs.s3a.retry.limit", "1");
        return o;
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            blobStores.close();
        }
    }

    /** Passes everything through, except reads of the keys chosen to fail. */
    private static final class FailingReads extends ForwardingBlobStore {
        private volatile Predicate<String> failing = key -> false;

        FailingReads(BlobStore delegate) {
            super(delegate);
        }

        @Override
        protected BlobStore delegate() {
            return super.delegate();
        }

        @Override
        public Blob getBlob(String container, String name) {
            fail(name);
            return super.getBlob(container, name);
        }

        @Override
        public Blob getBlob(String container, String name, GetOptions options) {
            fail(name);
            return super.getBlob(container, name, options);
        }

        private void fail(String name) {
            if (failing.test(name)) {
                throw new IllegalStateException("injected store failure reading " + name);
            }
        }
    }
}
