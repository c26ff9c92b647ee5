package dev.cairn.benchmarks.async;

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
            default:
                throw new IllegalArgumentException("Cannot open benchmark store: (expected file or s3, found '" + name + "')");
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
