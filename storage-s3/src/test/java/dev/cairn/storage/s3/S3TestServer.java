package dev.cairn.storage.s3;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * A real S3 protocol server started by a test on 127.0.0.1, over http or https: S3Proxy in this
 * JVM ({@link S3ProxyServer}) or s3rver in a Node.js process ({@link S3rverServer}). Tests that
 * run against several servers talk to them through this.
 */
interface S3TestServer extends AutoCloseable {
    /** The endpoint, {@code http://127.0.0.1:port} or {@code https://127.0.0.1:port}. */
    URI endpoint();

    /** For test names and messages, e.g. {@code s3rver over https}. */
    String name();

    /**
     * The options a user of this server sets: endpoint, region, path-style, credentials and, for
     * https, the CA bundle that trusts the test certificate. Nothing else: every other option keeps
     * its default.
     */
    Map<String, String> options();

    /** Settings matching {@link #options()}, with strong listings (both servers list consistently). */
    S3StorageSettings.Builder settings();

    /** The object's bytes as the server stored them, read past its S3 protocol (its blob store or its files). */
    byte[] rawObject(String bucket, String key) throws IOException;

    @Override
    void close();
}
