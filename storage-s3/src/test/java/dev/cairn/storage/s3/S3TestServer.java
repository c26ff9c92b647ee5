package dev.cairn.storage.s3;

import dev.cairn.storage.ListingConsistency;
import dev.cairn.testkit.ClientOptions;
import dev.cairn.testkit.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real S3 protocol server started by a test on 127.0.0.1, over http or https: S3Proxy in this
 * JVM (the test kit's {@link S3ProxyServer}, through {@link #of}) or s3rver in a Node.js process
 * ({@link S3rverServer}). Tests that run against several servers talk to them through this.
 */
interface S3TestServer extends AutoCloseable {
    /** The endpoint, {@code http://127.0.0.1:port} or {@code https://127.0.0.1:port}. */
    URI endpoint();

    /** For test names and messages, e.g. {@code s3rver over https}. */
    String name();

    /** The access key the server accepts. */
    String accessKey();

    /** The secret of {@link #accessKey()}. */
    String secretKey();

    /** The certificate that an https server's clients trust; null over http. */
    Path caBundle();

    /**
     * The options a user of this server sets: endpoint, region, path-style, credentials and, for
     * https, the CA bundle that trusts the test certificate. Nothing else: every other option keeps
     * its default.
     */
    default Map<String, String> options() {
        return ClientOptions.s3("cairn.", endpoint(), accessKey(), secretKey(), caBundle());
    }

    /** Settings matching {@link #options()}, with strong listings (both servers list consistently). */
    default S3StorageSettings.Builder settings() {
        return S3StorageSettings.builder().endpoint(endpoint()).region("us-east-1").pathStyleAccess(true)
                .credentials(accessKey(), secretKey()).listingConsistency(ListingConsistency.STRONG).caBundle(caBundle());
    }

    /** The object's bytes as the server stored them, read past its S3 protocol (its blob store or its files). */
    byte[] rawObject(String bucket, String key) throws IOException;

    @Override
    void close();

    /** A plain S3Proxy (strongly consistent, http) with {@code buckets}. */
    static S3TestServer start(String... buckets) throws Exception {
        return of(S3ProxyServer.start(buckets));
    }

    /** {@code server} as an S3TestServer; closing it closes the server. */
    static S3TestServer of(S3ProxyServer server) {
        return new S3TestServer() {
            @Override
            public URI endpoint() {
                return server.endpoint();
            }

            @Override
            public String name() {
                return "S3Proxy over " + server.endpoint().getScheme();
            }

            @Override
            public String accessKey() {
                return server.accessKey();
            }

            @Override
            public String secretKey() {
                return server.secretKey();
            }

            @Override
            public Path caBundle() {
                return server.caBundle();
            }

            @Override
            public byte[] rawObject(String bucket, String key) throws IOException {
                return server.rawObject(bucket, key);
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }
}
