package dev.cairn.examples.kills;

import dev.cairn.examples.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A store the kill campaign runs the ALS example on: where its run directories go, the
 * {@code --option}s the example needs to reach it, and a {@link RawStore} to judge what it left.
 * The S3 and HDFS servers run in JVMs of their own, started here from the test class path, so the
 * killed processes are clients of another process, as they would be of a real store.
 */
abstract class CampaignStore implements AutoCloseable {
    private static final Duration START = Duration.ofMinutes(3);

    private final String name;
    private final RawStore raw;

    private CampaignStore(String name, RawStore raw) {
        this.name = name;
        this.raw = raw;
    }

    /** {@code file}, {@code s3} or {@code hdfs}. */
    String name() {
        return name;
    }

    /** A run directory of its own for {@code label}. */
    abstract URI runDirectory(String label);

    /** The example's {@code --option} arguments for this store. */
    List<String> exampleOptions() {
        return List.of();
    }

    RawStore raw() {
        return raw;
    }

    /** A secret the example is given on its command line, which nothing it prints or logs may show; empty if none. */
    String secret() {
        return "";
    }

    /** Starts the store named {@code name}; servers log under {@code work}. */
    static CampaignStore start(String name, Path work) throws IOException, InterruptedException {
        return switch (name) {
            case "file" -> local(work);
            case "s3" -> s3(work);
            case "hdfs" -> hdfs(work);
            default -> throw new IllegalArgumentException("Cannot use store '" + name + "' (expected file, s3 or hdfs)");
        };
    }

    private static CampaignStore local(Path work) throws IOException {
        Path root = Files.createTempDirectory(Files.createDirectories(work), "file-runs-");
        return new CampaignStore("file", RawStore.local()) {
            @Override
            URI runDirectory(String label) {
                return URI.create(root.toUri() + label);
            }

            @Override
            public void close() {
            }
        };
    }

    private static CampaignStore s3(Path work) throws IOException, InterruptedException {
        String bucket = "kills";
        ChildJvm server = ChildJvm.start("s3-server", List.of("-Xmx512m"), S3ServerMain.class.getName(), List.of(bucket), work);
        URI endpoint = awaitReady(server);
        List<String> options = new ArrayList<>();
        for (String o : List.of("cairn.s3.endpoint=" + endpoint, "cairn.s3.region=us-east-1", "cairn.s3.path-style-access=true",
                "cairn.s3.access-key=" + S3ServerMain.ACCESS_KEY, "cairn.s3.secret-key=" + S3ServerMain.SECRET_KEY)) {
            options.addAll(List.of("--option", o));
        }
        return new ServerStore("s3", RawStore.s3(endpoint, S3ServerMain.ACCESS_KEY, S3ServerMain.SECRET_KEY), server, options) {
            @Override
            URI runDirectory(String label) {
                return URI.create("s3://" + bucket + "/runs/" + label);
            }

            @Override
            String secret() {
                return S3ServerMain.SECRET_KEY;
            }
        };
    }

    private static CampaignStore hdfs(Path work) throws IOException, InterruptedException {
        Path base = Files.createTempDirectory(Files.createDirectories(work), "minidfs-");
        ChildJvm server = ChildJvm.start("hdfs-server", List.of("-Xmx768m"), HdfsServerMain.class.getName(), List.of(base.toString()), work);
        URI namenode = awaitReady(server);
        return new ServerStore("hdfs", RawStore.hdfs(namenode), server, List.of("--option", "cairn.hadoop.dfs.replication=1")) {
            @Override
            URI runDirectory(String label) {
                return URI.create(namenode + "/runs/" + label);
            }
        };
    }

    /** The address a server main prints in its {@code READY <uri>} line; the server is stopped if it never comes. */
    private static URI awaitReady(ChildJvm server) throws InterruptedException {
        try {
            return URI.create(server.awaitLine(l -> l.startsWith("READY "), START).substring(6));
        } catch (AssertionError e) {
            server.close();
            throw e;
        }
    }

    /** A store served by a child JVM, stopped on close. */
    private abstract static class ServerStore extends CampaignStore {
        private final ChildJvm server;
        private final List<String> options;

        ServerStore(String name, RawStore raw, ChildJvm server, List<String> options) {
            super(name, raw);
            this.server = server;
            this.options = options;
        }

        @Override
        List<String> exampleOptions() {
            return options;
        }

        @Override
        public void close() throws IOException {
            try {
                raw().close();
            } finally {
                try {
                    server.stop(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    server.close();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public abstract void close() throws IOException;
}
