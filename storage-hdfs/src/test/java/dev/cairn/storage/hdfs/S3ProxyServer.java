package dev.cairn.storage.hdfs;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;

/**
 * An S3 protocol server in this JVM (S3Proxy over jclouds' in-memory "transient" blob store)
 * with one bucket, for one test class: start it in a static {@code @BeforeAll}, close it in
 * {@code @AfterAll}.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String ACCESS_KEY = "cairn-access";
    static final String SECRET_KEY = "cairn-secret";

    private final BlobStoreContext blobStores;
    private final S3Proxy proxy;
    private final String bucket;

    private S3ProxyServer(BlobStoreContext blobStores, S3Proxy proxy, String bucket) {
        this.blobStores = blobStores;
        this.proxy = proxy;
        this.bucket = bucket;
    }

    static S3ProxyServer start(String bucket) throws Exception {
        // By metadata, not by the id "transient": a lookup by id instantiates every jclouds
        // provider on the class path, and S3Proxy's Azure one needs the jclouds Azure module
        // this build leaves out.
        BlobStoreContext context = ContextBuilder.newBuilder(new TransientApiMetadata())
                .credentials(ACCESS_KEY, SECRET_KEY)
                .build(BlobStoreContext.class);
        context.getBlobStore().createContainerInLocation(null, bucket);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start in 30 s, state " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return new S3ProxyServer(context, proxy, bucket);
    }

    /** {@code http://127.0.0.1:<port>}. */
    String endpoint() {
        return "http://127.0.0.1:" + proxy.getPort();
    }

    /** {@code s3a://<bucket>}. */
    URI bucketUri() {
        return URI.create("s3a://" + bucket);
    }

    /**
     * The Cairn options that point S3A at this server: endpoint override, path-style access,
     * plain HTTP, static credentials, and a region so that S3A does not probe for one.
     */
    Map<String, String> s3aOptions() {
        Map<String, String> o = new java.util.LinkedHashMap<>();
        o.put("cairn.hadoop.fs.s3a.endpoint", endpoint());
        o.put("cairn.hadoop.fs.s3a.endpoint.region", "us-east-1");
        o.put("cairn.hadoop.fs.s3a.path.style.access", "true");
        o.put("cairn.hadoop.fs.s3a.connection.ssl.enabled", "false");
        o.put("cairn.hadoop.fs.s3a.access.key", ACCESS_KEY);
        o.put("cairn.hadoop.fs.s3a.secret.key", SECRET_KEY);
        o.put("cairn.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        // 5 MiB parts (S3's minimum), so that files of a few MiB take the multipart path too.
        o.put("cairn.hadoop.fs.s3a.multipart.size", "5M");
        o.put("cairn.hadoop.fs.s3a.attempts.maximum", "2");
        o.put("cairn.hadoop.fs.s3a.retry.limit", "2");
        // S3Proxy 2.6 answers 501 to the CRC32 the AWS SDK (2.30 and later) adds to DeleteObjects: delete key by key.
        o.put("cairn.hadoop.fs.s3a.multiobjectdelete.enable", "false");
        return o;
    }

    @Override
    public void close() throws IOException {
        try {
            proxy.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Cannot stop S3Proxy at " + endpoint() + " (interrupted)", e);
        } catch (Exception e) {
            throw new IOException("Cannot stop S3Proxy at " + endpoint() + " (expected it to stop, found " + e + ")", e);
        } finally {
            blobStores.close();
        }
    }
}
