package dev.cairn.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.CairnTestBlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.options.CreateContainerOptions;

/**
 * A real S3 protocol server in this JVM: S3Proxy on a loopback port over jclouds' in-memory
 * ("transient") blob store, which the real AWS SDK, S3A or a {@code cairn} process talks to over
 * HTTP or HTTPS. Start one per test class in a static {@code @BeforeAll} and close it in
 * {@code @AfterAll}; a main that embeds one exits with {@link System#exit}, as Jetty's threads are
 * not daemons.
 *
 * <p>The store behind the protocol can be made to misbehave as S3 and S3-compatible stores do:
 * listings that lag behind writes ({@link LaggingListings}), keys that stay invisible for a while
 * ({@link HiddenKeys}), S3Proxy's eventually consistent store, reads of zeros, and reads or uploads
 * that fail on demand ({@link #failReads}, {@link #failUploads}).
 */
public final class S3ProxyServer implements AutoCloseable {
    /** The access key a server accepts unless built with other {@link Builder#credentials}. */
    public static final String ACCESS_KEY = "cairn-test";
    /** The secret of {@link #ACCESS_KEY}. */
    public static final String SECRET_KEY = "cairn-test-secret";

    private static final long START_TIMEOUT_SECONDS = 60;

    private final S3Proxy proxy;
    private final List<BlobStoreContext> contexts;
    private final ScheduledExecutorService scheduler;
    private final InjectedFaults faults;
    private final URI endpoint;
    private final Path caBundle;
    private final String accessKey;
    private final String secretKey;

    private S3ProxyServer(Builder b, S3Proxy proxy, List<BlobStoreContext> contexts, ScheduledExecutorService scheduler,
            InjectedFaults faults, Path caBundle) {
        this.proxy = proxy;
        this.contexts = contexts;
        this.scheduler = scheduler;
        this.faults = faults;
        this.caBundle = caBundle;
        this.accessKey = b.accessKey;
        this.secretKey = b.secretKey;
        this.endpoint = caBundle == null ? URI.create("http://127.0.0.1:" + proxy.getPort())
                : URI.create("https://127.0.0.1:" + proxy.getSecurePort());
    }

    /** A plain, strongly consistent server over http with AWS V2/V4 authentication and {@code buckets}. */
    public static S3ProxyServer start(String... buckets) throws Exception {
        return builder().buckets(buckets).start();
    }

    /** A server to configure. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:<port>}, or {@code https://127.0.0.1:<port>} for a server built with https. */
    public URI endpoint() {
        return endpoint;
    }

    /** The access key the server accepts. */
    public String accessKey() {
        return accessKey;
    }

    /** The secret of {@link #accessKey()}. */
    public String secretKey() {
        return secretKey;
    }

    /** The certificate (PEM) a client must trust to reach an https server; null over http. */
    public Path caBundle() {
        return caBundle;
    }

    /**
     * The blob store behind the protocol, with every behaviour the server was built with but no
     * injected fault: for creating buckets and inspecting or damaging objects directly.
     */
    public BlobStore blobStore() {
        return faults.below();
    }

    /** Creates {@code bucket} (in both stores of an eventual server). */
    public void createBucket(String bucket) {
        // The three-argument form: EventualBlobStore overrides only that one to create the bucket
        // in both of its stores; the two-argument form would reach the read store alone.
        blobStore().createContainerInLocation(null, bucket, CreateContainerOptions.NONE);
    }

    /** The object's bytes as the server stored them, read past its S3 protocol. */
    public byte[] rawObject(String bucket, String key) throws IOException {
        Blob blob = blobStore().getBlob(bucket, key);
        if (blob == null) {
            throw new NoSuchFileException(bucket + "/" + key, null, "no such object in S3Proxy at " + endpoint);
        }
        try (InputStream in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    /** Options of Cairn's {@code s3://} storage that point it at this server: {@link ClientOptions#s3}. */
    public Map<String, String> s3Options(String prefix) {
        return ClientOptions.s3(prefix, endpoint, accessKey, secretKey, caBundle);
    }

    /** Options of Hadoop's S3A that point it at this (http) server: {@link ClientOptions#s3a}. */
    public Map<String, String> s3aOptions(String prefix) {
        return ClientOptions.s3a(prefix, endpoint, accessKey, secretKey);
    }

    /** From now on, GETs of the keys {@code keys} accepts fail (S3Proxy answers 400); {@code k -> false} ends it. */
    public void failReads(Predicate<String> keys) {
        faults.failReads(keys);
    }

    /**
     * Makes the next {@code times} uploads of objects whose key {@code keys} accepts fail inside the
     * server (a PUT, a part of a multipart upload, or its completion), which answers them with an
     * error status (400). Replaces the failures armed before. Returns a handle that counts the failures served.
     */
    public UploadFailures failUploads(Predicate<String> keys, int times) {
        return faults.failUploads(keys, times);
    }

    /** Stops the server and drops everything it stored. */
    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop S3Proxy at " + endpoint + " (expected it to stop, found " + e + ")", e);
        } finally {
            if (scheduler != null) {
                scheduler.shutdownNow();
            }
            for (BlobStoreContext c : contexts) {
                c.close();
            }
        }
    }

    /** What the server serves and how its store behaves; {@link #start()} starts it. */
    public static final class Builder {
        private String[] buckets = new String[0];
        private String accessKey = ACCESS_KEY;
        private String secretKey = SECRET_KEY;
        private Duration eventualDelay;
        private Predicate<String> zeros;
        private Duration listingDelay;
        private Predicate<String> lagging;
        private Predicate<String> hidden;
        private Duration hiddenFor;
        private AuthenticationType auth = AuthenticationType.AWS_V2_OR_V4;
        private boolean https;

        private Builder() {
        }

        /** Buckets to create before the server answers. */
        public Builder buckets(String... buckets) {
            this.buckets = buckets.clone();
            return this;
        }

        /** The credentials the server accepts (default {@link #ACCESS_KEY}, {@link #SECRET_KEY}). */
        public Builder credentials(String accessKey, String secretKey) {
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        /** Every write becomes readable and listable only after {@code delay} (S3Proxy's EventualBlobStore). */
        public Builder eventual(Duration delay) {
            this.eventualDelay = delay;
            return this;
        }

        /** Reads of the objects whose key matches return zeros of the object's length (S3Proxy's NullBlobStore). */
        public Builder zeros(Predicate<String> keys) {
            this.zeros = keys;
            return this;
        }

        /** New objects are readable at once but show in listings only after {@code delay}: S3 before December 2020. */
        public Builder listingDelay(Duration delay) {
            return listingDelay(delay, key -> true);
        }

        /** As {@link #listingDelay(Duration)}, for the objects whose key {@code lagging} accepts; others list at once. */
        public Builder listingDelay(Duration delay, Predicate<String> lagging) {
            this.listingDelay = delay;
            this.lagging = lagging;
            return this;
        }

        /** Objects whose key matches stay invisible to reads and listings for {@code delay} after each write. */
        public Builder hide(Predicate<String> keys, Duration delay) {
            this.hidden = keys;
            this.hiddenFor = delay;
            return this;
        }

        /** Serve https only, with {@link TestTls}'s certificate; clients trust {@link S3ProxyServer#caBundle()}. */
        public Builder https(boolean https) {
            this.https = https;
            return this;
        }

        /** No authentication: for a fault proxy in front, whose forwarded requests carry the client's signature for another host. */
        public Builder anonymous() {
            this.auth = AuthenticationType.NONE;
            return this;
        }

        /** Starts the server and returns once it answers on its port, with its buckets created. */
        public S3ProxyServer start() throws Exception {
            BlobStoreContext main = newContext();
            List<BlobStoreContext> contexts = new ArrayList<>(List.of(main));
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
            if (listingDelay != null && !listingDelay.isZero()) {
                store = new LaggingListings(store, listingDelay, lagging);
            }
            if (hidden != null) {
                store = new HiddenKeys(store, hidden, hiddenFor);
            }
            InjectedFaults faults = new InjectedFaults(store);
            S3Proxy.Builder builder = S3Proxy.builder().blobStore(faults).awsAuthentication(auth, accessKey, secretKey);
            TestTls tls = https ? TestTls.get() : null;
            if (https) {
                builder.secureEndpoint(URI.create("https://127.0.0.1:0")).keyStore(tls.keyStore().toString(), TestTls.PASSWORD);
            } else {
                builder.endpoint(URI.create("http://127.0.0.1:0"));
            }
            S3Proxy proxy = builder.build();
            proxy.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
            // Jetty's AbstractLifeCycle.STARTED, by value: this jar does not compile against Jetty
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    String state = proxy.getState();
                    proxy.stop();
                    throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT_SECONDS + " s (state " + state + ")");
                }
                Thread.sleep(5); // S3Proxy offers no start callback
            }
            S3ProxyServer server = new S3ProxyServer(this, proxy, contexts, scheduler, faults, https ? tls.certificatePem() : null);
            for (String b : buckets) {
                server.createBucket(b);
            }
            return server;
        }

        private BlobStoreContext newContext() {
            // By metadata, not by the id "transient": a lookup by id instantiates every jclouds
            // provider on the class path, and S3Proxy's Azure one needs the Azure SDK that
            // storage-hdfs, cli and spark leave out.
            return ContextBuilder.newBuilder(new TransientApiMetadata()).credentials(accessKey, secretKey)
                    .build(BlobStoreContext.class);
        }
    }
}
