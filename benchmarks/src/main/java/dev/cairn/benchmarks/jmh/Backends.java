package dev.cairn.benchmarks.jmh;

import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.local.LocalStorage;
import dev.cairn.storage.memory.MemoryStorage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/** A storage backend under test and a fresh directory in it. */
final class Backends {
    /** Scratch directory for {@code file://}; JmhMain passes it to the forks. */
    static final String WORK_PROPERTY = "cairn.bench.work";

    final Storage storage;
    final URI dir;
    private final Path localDir;

    private Backends(Storage storage, URI dir, Path localDir) {
        this.storage = storage;
        this.dir = dir;
        this.localDir = localDir;
    }

    /** {@code memory}, {@code file} (fsync on, the default) or {@code file-nofsync}. */
    static Backends open(String backend) throws IOException {
        switch (backend) {
            case "memory":
                return new Backends(new MemoryStorage(), URI.create("memory://jmh-" + UUID.randomUUID() + "/d"), null);
            case "file":
            case "file-nofsync": {
                Path base = Files.createDirectories(Path.of(System.getProperty(WORK_PROPERTY, System.getProperty("java.io.tmpdir"))));
                Path dir = Files.createTempDirectory(base, "jmh-");
                return new Backends(new LocalStorage(backend.equals("file"), ListingConsistency.STRONG), dir.toUri(), dir);
            }
            default:
                throw new IllegalArgumentException("unknown backend " + backend);
        }
    }

    URI file(String name) {
        return URI.create(dir.toString().endsWith("/") ? dir + name : dir + "/" + name);
    }

    void close() throws IOException {
        storage.delete(dir);
        storage.close();
        if (localDir != null && Files.exists(localDir)) {
            try (Stream<Path> s = Files.walk(localDir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
