package dev.cairn.examples.kills;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A store read with its own client, not through Cairn: {@code java.nio} for {@code file://}, the
 * AWS SDK's {@link S3Client} for {@code s3://}, Hadoop's {@link FileSystem} for {@code hdfs://}.
 * The kill campaign judges what Cairn left in a run directory with these, so a Cairn bug in
 * listing or reading cannot hide itself.
 *
 * <p>Paths are relative to the run directory, {@code /}-separated; directories (on stores that
 * have them) end with {@code /}.
 */
interface RawStore extends AutoCloseable {

    /** Everything under {@code dir}, recursively: relative path to byte length ({@code -1} for a directory). Empty if {@code dir} is absent. */
    Map<String, Long> list(URI dir) throws IOException;

    /** The bytes of the file at {@code relative} under {@code dir}; {@link NoSuchFileException} when there is none. */
    byte[] read(URI dir, String relative) throws IOException;

    /** Whether the file or directory ({@code /} at the end) at {@code relative} under {@code dir} exists. */
    boolean exists(URI dir, String relative) throws IOException;

    @Override
    void close() throws IOException;

    /** {@code file://} through {@code java.nio}. */
    static RawStore local() {
        return new RawStore() {
            @Override
            public Map<String, Long> list(URI dir) throws IOException {
                Path root = Path.of(dir);
                Map<String, Long> out = new TreeMap<>();
                if (!Files.exists(root)) {
                    return out;
                }
                try (Stream<Path> all = Files.walk(root)) {
                    all.filter(p -> !p.equals(root)).forEach(p -> {
                        String rel = root.relativize(p).toString().replace('\\', '/');
                        try {
                            out.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? -1L : Files.size(p));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
                return out;
            }

            @Override
            public byte[] read(URI dir, String relative) throws IOException {
                return Files.readAllBytes(Path.of(dir).resolve(relative));
            }

            @Override
            public boolean exists(URI dir, String relative) {
                return Files.exists(Path.of(dir).resolve(relative));
            }

            @Override
            public void close() {
            }
        };
    }

    /** {@code s3://bucket/prefix} through the AWS SDK, on a custom endpoint with path-style requests. */
    static RawStore s3(URI endpoint, String accessKey, String secretKey) {
        // Checksums only where S3 requires them: S3Proxy answers 501 to the checksum mode header the SDK adds to GETs by default.
        S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey))).build();
        return new RawStore() {
            @Override
            public Map<String, Long> list(URI dir) {
                String prefix = key(dir, "");
                Map<String, Long> out = new TreeMap<>();
                ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(dir.getHost()).prefix(prefix).build();
                for (S3Object o : s3.listObjectsV2Paginator(request).contents()) {
                    out.put(o.key().substring(prefix.length()), o.size());
                }
                return out;
            }

            @Override
            public byte[] read(URI dir, String relative) throws IOException {
                try {
                    ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(dir.getHost()).key(key(dir, relative)));
                    return bytes.asByteArray();
                } catch (NoSuchKeyException e) {
                    throw new NoSuchFileException(dir + "/" + relative);
                }
            }

            @Override
            public boolean exists(URI dir, String relative) {
                try {
                    s3.headObject(b -> b.bucket(dir.getHost()).key(key(dir, relative)));
                    return true;
                } catch (NoSuchKeyException e) {
                    return false;
                } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                    if (e.statusCode() == 404) {
                        return false; // HEAD has no body, so no NoSuchKey code
                    }
                    throw e;
                }
            }

            private String key(URI dir, String relative) {
                String path = dir.getPath().replaceAll("^/+", "").replaceAll("/+$", "");
                return path.isEmpty() ? relative : path + "/" + relative;
            }

            @Override
            public void close() {
                s3.close();
            }
        };
    }

    /** {@code hdfs://} through Hadoop's own client. */
    static RawStore hdfs(URI namenode) throws IOException {
        Configuration conf = new Configuration();
        conf.setBoolean("fs.hdfs.impl.disable.cache", true); // a client of its own, closed with this store
        FileSystem fs = FileSystem.get(namenode, conf);
        return new RawStore() {
            @Override
            public Map<String, Long> list(URI dir) throws IOException {
                org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir);
                Map<String, Long> out = new TreeMap<>();
                if (!fs.exists(root)) {
                    return out;
                }
                String base = fs.getFileStatus(root).getPath().toUri().getPath();
                walk(root, base, out);
                return out;
            }

            private void walk(org.apache.hadoop.fs.Path dir, String base, Map<String, Long> out) throws IOException {
                for (FileStatus s : fs.listStatus(dir)) {
                    String rel = s.getPath().toUri().getPath().substring(base.length() + 1);
                    if (s.isDirectory()) {
                        out.put(rel + "/", -1L);
                        walk(s.getPath(), base, out);
                    } else {
                        out.put(rel, s.getLen());
                    }
                }
            }

            @Override
            public byte[] read(URI dir, String relative) throws IOException {
                org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(dir), relative);
                try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(file)) {
                    return in.readAllBytes();
                } catch (java.io.FileNotFoundException e) {
                    throw new NoSuchFileException(file.toString());
                }
            }

            @Override
            public boolean exists(URI dir, String relative) throws IOException {
                return fs.exists(new org.apache.hadoop.fs.Path(new org.apache.hadoop.fs.Path(dir), relative));
            }

            @Override
            public void close() throws IOException {
                fs.close();
            }
        };
    }
}
