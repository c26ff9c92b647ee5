package dev.cairn.storage.s3;

import dev.cairn.storage.ListingConsistency;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.CairnTestBlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.options.CreateContainerOptions;

/**
 * An S3Proxy server in this JVM, on a loopback port, over an in-memory blob store: a real S3
 * protocol server that the real SDK client talks to over HTTP. One per test class; start it in
 * {@code @BeforeAll} and close it in {@code @AfterAll}.
 */
final class S3ProxyServer implements S3TestServer {
    static final String ACCESS_KEY = "cairn-test";
    static final String SECRET_KEY = "cairn-test-secret";

    private final S3Proxy proxy;
    private final List<BlobStoreContext> contexts;
    private final ScheduledExecutorService scheduler;
    private final BlobStore blobStore;
    private final URI endpoint;

    private final java.nio.file.Path caBundle;

    private S3ProxyServer(S3Proxy proxy, List<BlobStoreContext> contexts, ScheduledExecutorService scheduler, BlobStore blobStore,
            java.nio.file.Path caBundle) {
        this.proxy = proxy;
        this.contexts = contexts;
        this.scheduler = scheduler;
        this.blobStore = blobStore;
        this.caBundle = caBundle;
        this.endpoint = caBundle == null ? URI.create("http://127.0.0.1:" + proxy.getPort())
                : URI.create("https://127.0.0.1:" + proxy.getSecurePort());
    }

    /** A plain, strongly consistent server with AWS V4 authentication. */
    static S3ProxyServer start(String... buckets) throws Exception {
        return builder().buckets(buckets).start();
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String name() {
        return "S3Proxy over " + endpoint.getScheme();
    }

    @Override
    public byte[] rawObject(String bucket, String key) throws java.io.IOException {
        org.jclouds.blobstore.domain.Blob blob = blobStore.getBlob(bucket, key);
        if (blob == null) {
            throw new java.nio.file.NoSuchFileException(bucket + "/" + key);
        }
        try (java.io.InputStream in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    /** The blob store behind the protocol, for creating buckets and inspecting state directly. */
    BlobStore blobStore() {
        return blobStore;
    }

    void createBucket(String bucket) {
        // The three-argument form: EventualBlobStore overrides only that one to create the bucket
        // in both of its stores; the two-argument form would reach the read store alone.
        blobStore.createContainerInLocation(null, bucket, CreateContainerOptions.NONE);
    }

    /** Context options that point Cairn at this server. */
    @Override
    public Map<String, String> options() {
        Map<String, String> o = new HashMap<>();
        o.put(S3StorageSettings.ENDPOINT, endpoint.toString());
        o.put(S3StorageSettings.REGION, "us-east-1");
        o.put(S3StorageSettings.PATH_STYLE_ACCESS, "true");
        o.put(S3StorageSettings.ACCESS_KEY, ACCESS_KEY);
        o.put(S3StorageSettings.SECRET_KEY, SECRET_KEY);
        if (caBundle != null) {
            o.put(S3StorageSettings.CA_BUNDLE, caBundle.toString());
        }
        return o;
    }

    /** Storage settings that point at this server; S3Proxy lists consistently unless built eventual. */
    @Override
    public S3StorageSettings.Builder settings() {
        return S3StorageSettings.builder().endpoint(endpoint).region("us-east-1").pathStyleAccess(true)
                .credentials(ACCESS_KEY, SECRET_KEY).listingConsistency(ListingConsistency.STRONG).caBundle(caBundle);
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop S3Proxy", e);
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        for (BlobStoreContext c : contexts) {
            c.close();
        }
    }

    static final class Builder {
        private String[] buckets = new String[0];
        private Duration eventualDelay;
        private java.util.function.Predicate<String> zeros;
        private Duration listingDelay;
        private java.util.function.Predicate<String> hidden;
        private Duration hiddenFor;
        private AuthenticationType auth = AuthenticationType.AWS_V2_OR_V4;
        private boolean https;

        Builder buckets(String... buckets) {
            this.buckets = buckets;
            return this;
        }

        /** Every write becomes readable and listable only after {@code delay} (S3Proxy's EventualBlobStore). */
        Builder eventual(Duration delay) {
            this.eventualDelay = delay;
            return this;
        }

        /** Reads of the objects whose key matches return zeros of the object's length (S3Proxy's NullBlobStore). */
        Builder zeros(java.util.function.Predicate<String> keys) {
            this.zeros = keys;
            return this;
        }

        /** New objects are readable at once but show in listings only after {@code delay}: S3 before December 2020. */
        Builder listingDelay(Duration delay) {
            this.listingDelay = delay;
            return this;
        }

        /** Objects whose key matches stay invisible to reads and listings for {@code delay} after each write. */
        Builder hide(java.util.function.Predicate<String> keys, Duration delay) {
            this.hidden = keys;
            this.hiddenFor = delay;
            return this;
        }

        /** Serve https only, with {@link TestTls}'s certificate. */
        Builder https(boolean https) {
            this.https = https;
            return this;
        }

        /** No authentication: for a fault proxy in front, whose forwarded requests carry the client's signature for another host. */
        Builder anonymous() {
            this.auth = AuthenticationType.NONE;
            return this;
        }

        S3ProxyServer start() throws Exception {
            BlobStoreContext main = newContext();
            List<BlobStoreContext> contexts = new java.util.ArrayList<>(List.of(main));
            BlobStore store = main.getBlobStore();
            ScheduledExecutorService scheduler = null;
            if (eventualDelay != null) {
                BlobStoreContext read = newContext();
                contexts.add(read);
                scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "s3proxy-eventual");
                    t.setDaemon(true);
                    return t;
                });
                // Containers are created in both stores by EventualBlobStore; objects move after the delay.
                store = CairnTestBlobStores.eventual(store, read.getBlobStore(), scheduler, (int) eventualDelay.toMillis(),
                        TimeUnit.MILLISECONDS, 1.0);
            }
            if (zeros != null) {
                store = CairnTestBlobStores.zeros(store, zeros);
            }
            if (listingDelay != null) {
                store = new LaggingListings(store, listingDelay);
            }
            if (hidden != null) {
                store = new HiddenKeys(store, hidden, hiddenFor);
            }
            S3Proxy.Builder builder = S3Proxy.builder().blobStore(store).awsAuthentication(auth, ACCESS_KEY, SECRET_KEY);
            TestTls tls = https ? TestTls.get() : null;
            if (https) {
                builder.secureEndpoint(URI.create("https://127.0.0.1:0")).keyStore(tls.keyStore().toString(), TestTls.PASSWORD);
            } else {
                builder.endpoint(URI.create("http://127.0.0.1:0"));
            }
            S3Proxy proxy = builder.build();
            proxy.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!AbstractLifeCycle.STARTED.equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start within 30 s: " + proxy.getState());
                }
                Thread.sleep(5); // Jetty offers no start callback through S3Proxy
            }
            S3ProxyServer server = new S3ProxyServer(proxy, contexts, scheduler, store, https ? tls.certificatePem() : null);
            for (String b : buckets) {
                server.createBucket(b);
            }
            return server;
        }

        private BlobStoreContext newContext() {
            return ContextBuilder.newBuilder("transient").credentials(ACCESS_KEY, SECRET_KEY).build(BlobStoreContext.class);
        }
    }
}
