package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.StorageOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A store that accepts connections and never answers (a hung gateway, a half-dead load balancer):
 * a real socket server on 127.0.0.1 that reads nothing and writes nothing. Every operation must
 * end by {@code cairn.s3.api-call-timeout}, all retries included, with a WARN naming the endpoint
 * while it retries and an error naming endpoint, bucket, key and the time spent.
 */
class S3SilentEndpointTest {
    private static ServerSocket silent;
    private static final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private static Thread acceptor;

    @BeforeAll
    static void start() throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            while (!silent.isClosed()) {
                try {
                    accepted.add(silent.accept()); // held open, never read, never answered
                } catch (IOException e) {
                    return;
                }
            }
        }, "silent-endpoint");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void stop() throws Exception {
        silent.close();
        for (Socket s : accepted) {
            s.close();
        }
        acceptor.join(5_000);
    }

    @Test
    void aSilentEndpointFailsWithinTheDeadlineNamingEndpointBucketKeyAndTimeSpent() throws Exception {
        URI endpoint = URI.create("http://127.0.0.1:" + silent.getLocalPort());
        S3StorageSettings settings = S3StorageSettings.builder().endpoint(endpoint).region("us-east-1").pathStyleAccess(true)
                .credentials("AK", "SK").socketTimeout(Duration.ofMillis(700)).maxAttempts(3)
                .apiCallTimeout(Duration.ofSeconds(2)).probe(false).build();
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        long start = System.nanoTime();
        IOException e;
        IOException head;
        try (S3Storage storage = new S3Storage(settings)) {
            System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
            // A HEAD: each attempt ends by the socket timeout, and the retries are announced.
            head = assertThrows(IOException.class, () -> storage.stat(URI.create("s3://hung/ckpt/_manifest.json")));
            // A PUT: its first attempt already outlasts the deadline (the client waits for "100 Continue" first).
            e = assertThrows(IOException.class, () -> {
                try (StorageOutput out = storage.create(URI.create("s3://hung/ckpt/part-00000"), true)) {
                    out.write(new byte[100]);
                    out.commit();
                }
            });
        } finally {
            System.setErr(err);
        }
        Duration spent = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(head.getMessage().startsWith("Cannot stat s3://hung/ckpt/_manifest.json: bucket 'hung', key 'ckpt/_manifest.json'"),
                head.getMessage());
        assertTrue(head.getMessage().contains("no answer from " + endpoint + " to HeadObject within "), head.getMessage());
        String m = e.getMessage();
        assertTrue(m.startsWith("Cannot commit s3://hung/ckpt/part-00000: bucket 'hung', key 'ckpt/part-00000'"), m);
        assertTrue(m.contains("no answer from " + endpoint + " to PutObject within "), m);
        assertTrue(m.contains(S3StorageSettings.API_CALL_TIMEOUT), m);
        // Each operation ends by its 2 s deadline, whatever its attempts and their timeouts add up to.
        assertTrue(spent.compareTo(Duration.ofSeconds(15)) < 0, "two operations bounded by a 2 s deadline each, took " + spent);
        String logged = log.toString(StandardCharsets.UTF_8);
        assertTrue(logged.contains("WARN") && logged.contains("No answer from the S3 store at " + endpoint + " to HeadObject of bucket"
                + " 'hung', key 'ckpt/_manifest.json' on attempt 1 of 3"),
                "a WARN naming the endpoint while retrying: " + logged);
    }
}
