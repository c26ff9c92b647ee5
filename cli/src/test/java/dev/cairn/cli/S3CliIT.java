package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.CairnContext;
import dev.cairn.testkit.S3ProxyServer;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jclouds.blobstore.domain.Blob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The command line on {@code s3://} against S3Proxy (one server for the class), plus a store that
 * fails reads, the same bucket through Hadoop's {@code s3a://}, and secrets kept out of the output.
 */
class S3CliIT extends CliContract {
    private static final String BUCKET = "cli-bucket";
    private static final String ACCESS_KEY = "cairn-cli-access";
    /** Distinct enough that finding it in the output can only mean it leaked. */
    private static final String SECRET_KEY = "cairn-cli-secret-8f3a";
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.builder().buckets(BUCKET).credentials(ACCESS_KEY, SECRET_KEY).start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Override
    URI root() {
        return URI.create("s3://" + BUCKET + "/cli");
    }

    @Override
    Map<String, String> options() {
        Map<String, String> o = new TreeMap<>(server.s3Options("cairn."));
        o.put("cairn.s3.listing.consistency", "strong");
        return o;
    }

    /** Options that point {@code s3a://} (Hadoop's S3A, through storage-hdfs) at the server: one attempt each. */
    private static Map<String, String> s3aOptions() {
        Map<String, String> o = new TreeMap<>(server.s3aOptions("cairn.hadoop."));
        o.put("cairn.hadoop.fs.s3a.attempts.maximum", "1");
        o.put("cairn.hadoop.fs.s3a.retry.limit", "1");
        return o;
    }

    private static String key(URI file) {
        return file.getPath().substring(1);
    }

    @Override
    byte[] read(URI file) throws Exception {
        Blob blob = server.blobStore().getBlob(BUCKET, key(file));
        try (InputStream in = blob.getPayload().openStream()) {
            return in.readAllBytes();
        }
    }

    @Override
    void write(URI file, byte[] data) {
        server.blobStore().putBlob(BUCKET, server.blobStore().blobBuilder(key(file)).payload(data).build());
    }

    @Override
    void delete(URI file) {
        server.blobStore().removeBlob(BUCKET, key(file));
    }

    @Override
    boolean exists(URI file) {
        return server.blobStore().blobExists(BUCKET, key(file));
    }

    @Test
    void aStoreFailingReadsIsReportedAsAnIoErrorNeverAsCorruption(TestInfo test) {
        URI loc;
        try (CairnContext ctx = context(dir(test))) {
            loc = checkpoint(ctx, 300, 3, Map.of());
        }
        String failing = key(file(loc, "part-00001"));
        server.failReads(failing::equals);
        try {
            CairnProcess.Result r = cairn("verify", "--json", loc.toString()).exits(1);
            JsonNode problems = r.json().get("problems");
            assertEquals(1, problems.size(), r::toString);
            JsonNode p = problems.get(0);
            assertEquals("io-error", p.get("kind").asText(), r::toString);
            assertEquals("part-00001", p.get("file").asText());
            assertFalse(p.get("message").asText().contains("corrupt"), r::toString);
            assertEquals(2, r.json().get("partsIntact").asInt());

            CairnProcess.Result text = cairn("verify", "-v", loc.toString()).exits(1);
            assertTrue(linesStartingWith(text, "io-error").get(0).contains(loc + "/part-00001"), text::toString);
            assertEquals(List.of(), linesStartingWith(text, "corrupt"), text::toString);
        } finally {
            server.failReads(k -> false);
        }
    }

    @Test
    void theSameBucketThroughS3a(TestInfo test) {
        URI loc;
        try (CairnContext ctx = context(dir(test))) {
            loc = checkpoint(ctx, 40, 2, Map.of());
        }
        String s3a = loc.toString().replaceFirst("^s3:", "s3a:");
        List<String> args = new ArrayList<>(List.of("verify"));
        s3aOptions().forEach((k, v) -> {
            args.add("-o");
            args.add(k + "=" + v);
        });
        args.add(s3a);
        CairnProcess.Result r = CairnProcess.run(args).exits(0);
        assertTrue(r.stdout().contains("2 parts, 40 records"), r::toString);
        assertFalse(r.stdout().contains(SECRET_KEY) || r.stderr().contains(SECRET_KEY), r::toString);
    }

    @Test
    void secretsAreNeverPrintedNotEvenInErrors(TestInfo test) {
        String secret = SECRET_KEY;
        List<CairnProcess.Result> runs = new ArrayList<>();
        // a mistyped key with the secret as its value
        runs.add(CairnProcess.run("ls", "-o", "cairn.s3.secret-kye=" + secret, root().toString()).exits(2));
        // a wrong secret against the server, verbose: the SDK's error and the stack trace are printed
        runs.add(CairnProcess.run("ls", "-v", "-o", "cairn.s3.endpoint=" + server.endpoint(), "-o", "cairn.s3.region=us-east-1",
                "-o", "cairn.s3.path-style-access=true", "-o", "cairn.s3.access-key=" + ACCESS_KEY,
                "-o", "cairn.s3.secret-key=" + secret + "-wrong", dir(test).toString()).exits(1));
        // a secret given on its own after the command
        runs.add(CairnProcess.run("ls", root().toString(), "cairn.s3.secret-key=" + secret).exits(2));
        for (CairnProcess.Result r : runs) {
            assertFalse(r.stdout().contains(secret) || r.stderr().contains(secret), () -> "secret printed:\n" + r);
        }
        assertTrue(runs.get(1).stderr().contains("****") || runs.get(1).stderr().contains("Cannot"), runs.get(1)::toString);
    }
}
