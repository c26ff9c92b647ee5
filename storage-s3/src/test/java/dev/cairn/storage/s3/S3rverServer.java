package dev.cairn.storage.s3;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.cairn.testkit.TestTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * s3rver, an S3 server written independently of AWS and S3Proxy (Node.js, objects as files), in a
 * child process on a loopback port, over http or https. It is what a user meets outside AWS in
 * the ways that matter here: it stores a request body exactly as it arrives (so {@code aws-chunked}
 * framing becomes part of the object unless the client sends plain bodies), ignores
 * {@code If-None-Match} on PUT and the {@code x-amz-checksum-*} and {@code Content-MD5} headers, and
 * does not implement AbortMultipartUpload.
 *
 * <p>The package is installed on first use with {@code npm ci} from the lock file in
 * {@code src/test/s3rver} into {@code target/s3rver}, and reused from there. Start one per test
 * class; {@link #close()} ends the process.
 */
final class S3rverServer implements S3TestServer {
    /** s3rver's built-in account. */
    static final String ACCESS_KEY = "S3RVER";
    static final String SECRET_KEY = "S3RVER";
    private static final Pattern LISTENING = Pattern.compile("S3rver listening on [^:]+:(\\d+)");
    private static final Path INSTALL = Path.of("target", "s3rver").toAbsolutePath();

    private final Process process;
    private final Path directory;
    private final URI endpoint;
    private final Path caBundle;
    private final List<String> output;

    private S3rverServer(Process process, Path directory, URI endpoint, Path caBundle, List<String> output) {
        this.process = process;
        this.directory = directory;
        this.endpoint = endpoint;
        this.caBundle = caBundle;
        this.output = output;
    }

    /** Starts s3rver with the given buckets, over https (with {@link TestTls}'s certificate) or http. */
    static S3rverServer start(boolean https, String... buckets) throws Exception {
        Path script = install();
        Path dir = Files.createTempDirectory("s3rver-");
        List<String> command = new ArrayList<>(List.of(node(), script.toString(), "--directory", dir.toString(),
                "--address", "127.0.0.1", "--port", "0", "--silent", "--no-vhost-buckets"));
        TestTls tls = https ? TestTls.get() : null;
        if (https) {
            command.addAll(List.of("--key", tls.privateKeyPem().toString(), "--cert", tls.certificatePem().toString()));
        }
        for (String b : buckets) {
            command.addAll(List.of("--configure-bucket", b));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
        int port = -1;
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                output.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                    break;
                }
            }
        } catch (IOException e) {
            p.destroyForcibly();
            throw e;
        }
        if (port < 0) {
            p.destroyForcibly();
            throw new IllegalStateException("s3rver did not start: " + String.join("\n", output));
        }
        // Keep draining its output so that the process never blocks on a full pipe.
        Thread drain = new Thread(() -> {
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (output.size() < 1000) {
                        output.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "s3rver-output");
        drain.setDaemon(true);
        drain.start();
        URI endpoint = URI.create((https ? "https" : "http") + "://127.0.0.1:" + port);
        return new S3rverServer(p, dir, endpoint, https ? tls.certificatePem() : null, output);
    }

    private static String node() {
        return "node";
    }

    /** Installs s3rver from the checked-in lock file once per build; returns its start script. */
    private static synchronized Path install() throws IOException, InterruptedException {
        Path script = INSTALL.resolve("node_modules/s3rver/bin/s3rver.js");
        if (Files.exists(script)) {
            return script;
        }
        Path source = Path.of("src", "test", "s3rver");
        Files.createDirectories(INSTALL);
        for (String f : List.of("package.json", "package-lock.json")) {
            Files.copy(source.resolve(f), INSTALL.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        Process npm = new ProcessBuilder("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(INSTALL.toFile()).redirectErrorStream(true).start();
        String out = new String(npm.getInputStream().readAllBytes(), UTF_8);
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0 || !Files.exists(script)) {
            throw new IllegalStateException("Cannot install s3rver with npm ci in " + INSTALL + ": " + out);
        }
        return script;
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String name() {
        return "s3rver over " + endpoint.getScheme();
    }

    @Override
    public String accessKey() {
        return ACCESS_KEY;
    }

    @Override
    public String secretKey() {
        return SECRET_KEY;
    }

    @Override
    public Path caBundle() {
        return caBundle;
    }

    /** s3rver keeps each object in a file {@code <dir>/<bucket>/<key>._S3rver_object}. */
    @Override
    public byte[] rawObject(String bucket, String key) throws IOException {
        int slash = key.lastIndexOf('/');
        Path file = directory.resolve(bucket).resolve(key.substring(0, slash + 1))
                .resolve(key.substring(slash + 1) + "._S3rver_object");
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        return Files.readAllBytes(file);
    }

    /** What the server printed, for failure messages. */
    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temp directory left behind is harmless
        }
    }
}
