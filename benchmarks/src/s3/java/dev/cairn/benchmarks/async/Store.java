package dev.cairn.benchmarks.async;

import dev.cairn.testkit.LatencyFront;
import dev.cairn.testkit.S3ProxyServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** Where the benchmark's checkpoints go: a scratch directory on {@code file://}, or S3. */
interface Store extends AutoCloseable {
    URI dir();

    Map<String, String> options();

    /** Prints what the store served, if it counts requests. */
    default void reportRequests(PrintStream out) {
    }

    @Override
    void close() throws IOException;

    static Store open(String name, long latencyMs) throws IOException {
        switch (name) {
            case "file":
                return new LocalDir(Files.createTempDirectory("cairn-async-bench-"));
            case "s3":
                return S3.start(latencyMs);
            default:
                throw new IllegalArgumentException("Cannot open benchmark store: (expected file or s3, found '" + name + "')");
        }
    }

    /** S3Proxy in this process behind the test kit's latency front: every request held {@code latencyMs} first. */
    final class S3 implements Store {
        private static final String BUCKET = "async-bench";
        private final S3ProxyServer server;
        private final LatencyFront front;

        private S3(S3ProxyServer server, LatencyFront front) {
            this.server = server;
            this.front = front;
        }

        static S3 start(long latencyMs) throws IOException {
            // the JDK's HTTP server behind the front leaves Nagle's algorithm on unless told: ~40 ms per response
            System.setProperty("sun.net.httpserver.nodelay", "true");
            S3ProxyServer server;
            try {
                server = S3ProxyServer.builder().anonymous().buckets(BUCKET).start();
            } catch (Exception e) {
                throw new IOException("Cannot start S3Proxy for the benchmark", e);
            }
            return new S3(server, new LatencyFront(server.endpoint(), latencyMs));
        }

        @Override
        public URI dir() {
            return URI.create("s3://" + BUCKET + "/async");
        }

        @Override
        public Map<String, String> options() {
            return Map.of("cairn.s3.endpoint", front.endpoint().toString(), "cairn.s3.region", "us-east-1",
                    "cairn.s3.path-style-access", "true", "cairn.s3.access-key", "bench", "cairn.s3.secret-key", "bench-secret");
        }

        @Override
        public void reportRequests(PrintStream out) {
            out.println("  requests through the latency front: " + front.counts());
        }

        @Override
        public void close() {
            front.close();
            server.close();
        }
    }

    /** A temporary directory, removed on close. */
    record LocalDir(Path path) implements Store {
        @Override
        public URI dir() {
            return path.toUri();
        }

        @Override
        public Map<String, String> options() {
            return Map.of();
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> s = Files.walk(path)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }
}
