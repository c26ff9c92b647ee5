package dev.cairn.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The options that point a client at an S3 test server on 127.0.0.1: endpoint, region
 * {@code us-east-1}, path-style access, static credentials and, over https, the CA bundle that
 * trusts {@link TestTls}'s certificate. Nothing else: every other option keeps its default, and
 * callers add what their tests need. The prefix says where the options go: {@code "cairn."} for a
 * Cairn context, {@code "spark.cairn."} for a Spark configuration.
 */
public final class ClientOptions {
    private ClientOptions() {
    }

    /** Options of Cairn's {@code s3://} storage ({@code <prefix>s3.*}). */
    public static Map<String, String> s3(String prefix, URI endpoint, String accessKey, String secretKey, Path caBundle) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put(prefix + "s3.endpoint", endpoint.toString());
        o.put(prefix + "s3.region", "us-east-1");
        o.put(prefix + "s3.path-style-access", "true");
        o.put(prefix + "s3.access-key", accessKey);
        o.put(prefix + "s3.secret-key", secretKey);
        if (caBundle != null) {
            o.put(prefix + "s3.ca-bundle", caBundle.toString());
        }
        return o;
    }

    /**
     * Options of Hadoop's S3A ({@code <prefix>fs.s3a.*}, prefix {@code "cairn.hadoop."} for Cairn's
     * {@code s3a://} storage, {@code "spark.hadoop."} for Spark): endpoint and region (so that S3A
     * does not probe for one), path-style access, plain HTTP, static credentials through S3A's simple
     * provider. Over https S3A would need the certificate in the JVM's trust store: not offered.
     */
    public static Map<String, String> s3a(String prefix, URI endpoint, String accessKey, String secretKey) {
        if (!"http".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("S3A options for " + endpoint + ": expected an http endpoint, found "
                    + endpoint.getScheme() + " (S3A trusts only the JVM's trust store)");
        }
        Map<String, String> o = new LinkedHashMap<>();
        o.put(prefix + "fs.s3a.endpoint", endpoint.toString());
        o.put(prefix + "fs.s3a.endpoint.region", "us-east-1");
        o.put(prefix + "fs.s3a.path.style.access", "true");
        o.put(prefix + "fs.s3a.connection.ssl.enabled", "false");
        o.put(prefix + "fs.s3a.access.key", accessKey);
        o.put(prefix + "fs.s3a.secret.key", secretKey);
        o.put(prefix + "fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        return o;
    }
}
