package dev.cairn.spark.streaming;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.spark.testkit.S3Server;
import dev.cairn.testkit.UploadFailures;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager.CancellableFSDataOutputStream;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract Spark's streaming code relies on, checked on every store the manager serves, as
 * Spark calls it (constructor {@code (Path, Configuration)}, Hadoop paths and exceptions): a
 * local directory ({@code file://}, standing in for a shared volume), HDFS (a MiniDFSCluster),
 * and S3 (S3Proxy, once consistent and once with listings that lag 2 s behind every write).
 * Faults are real: uploads fail inside the S3 server, a directory vanishes under a file system
 * write.
 */
class CairnCheckpointFileManagerTest {
    private static final Duration LAG = Duration.ofSeconds(2);
    private static final int MIB = 1024 * 1024;

    private static S3Server s3;
    private static S3Server laggingS3;
    private static MiniDFSCluster hdfs;
    private static java.nio.file.Path work;

    @BeforeAll
    static void start() throws Exception {
        work = java.nio.file.Path.of(System.getProperty("cairn.test.work", "target/test-work"), "cfm-" + UUID.randomUUID())
                .toAbsolutePath();
        Files.createDirectories(work);
        s3 = S3Server.start(Duration.ZERO, "ckpt");
        laggingS3 = S3Server.start(LAG, name -> true, "lagging");
        Configuration conf = new HdfsConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, work.resolve("minidfs").toString());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
    }

    @AfterAll
    static void stop() throws Exception {
        if (hdfs != null) {
            hdfs.shutdown(true);
        }
        if (laggingS3 != null) {
            laggingS3.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    // ------------------------------------------------------------------ stores

    /** A fresh checkpoint directory on {@code store} and the Hadoop configuration Spark would hand over. */
    private record Store(String name, Path root, Configuration conf) {
        CairnCheckpointFileManager manager() {
            return new CairnCheckpointFileManager(root, conf);
        }

        Path file(String relative) {
            return new Path(root, relative);
        }
    }

    private static Store store(String name) {
        return store(name, Map.of());
    }

    private static Store store(String name, Map<String, String> extra) {
        Configuration conf = new Configuration();
        String id = UUID.randomUUID().toString();
        Path root;
        switch (name) {
            case "file":
                root = new Path(work.resolve("file-" + id).toUri());
                break;
            case "hdfs":
                root = new Path("hdfs://localhost:" + hdfs.getNameNodePort() + "/ckpt/" + id);
                conf.set("dfs.replication", "1");
                break;
            case "s3":
                root = new Path("s3://ckpt/" + id);
                s3.cairnSparkConf().forEach(conf::set);
                break;
            case "lagging-s3":
                root = new Path("s3://lagging/" + id);
                laggingS3.cairnSparkConf().forEach(conf::set);
                break;
            default:
                throw new IllegalArgumentException(name);
        }
        extra.forEach(conf::set);
        return new Store(name, root, conf);
    }

    private static void write(CheckpointFileManager m, Path file, byte[] bytes, boolean overwrite) throws IOException {
        CancellableFSDataOutputStream out = m.createAtomic(file, overwrite);
        out.write(bytes);
        out.close();
    }

    private static byte[] read(CheckpointFileManager m, Path file) throws IOException {
        try (InputStream in = m.open(file)) {
            return in.readAllBytes();
        }
    }

    private static List<String> names(FileStatus[] statuses) {
        return Arrays.stream(statuses).map(s -> s.getPath().getName()).sorted().collect(Collectors.toList());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    // ------------------------------------------------------------------ createAtomic

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs", "s3"})
    void aFileAppearsWholeOnCloseAndNotBefore(String name) throws Exception {
        Store store = store(name);
        CairnCheckpointFileManager m = store.manager();
        assertEquals(m.root(), m.createCheckpointDirectory());
        Path file = store.file("offsets/0");
        byte[] body = new byte[300_000];
        new Random(7).nextBytes(body);

        CancellableFSDataOutputStream out = m.createAtomic(file, false);
        out.write(body, 0, 100_000);
        out.flush();
        assertFalse(m.exists(file), "nothing is visible before close()");
        assertEquals(List.of(), names(m.list(store.file("offsets"))), "not even a temporary file is listed");
        out.write(body, 100_000, body.length - 100_000);
        out.close();
        out.close(); // Spark closes again in finally blocks: nothing happens

        assertTrue(m.exists(file));
        assertArrayEquals(body, read(m, file));
        FileStatus[] listed = m.list(store.file("offsets"));
        assertEquals(List.of("0"), names(listed));
        assertEquals(body.length, listed[0].getLen());
        assertTrue(listed[0].isFile());
        assertEquals(file.toString(), listed[0].getPath().toString(), "children are named in the caller's form");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs", "s3"})
    void withoutOverwriteAnExistingFileIsNeverReplaced(String name) throws Exception {
        Store store = store(name);
        CairnCheckpointFileManager m = store.manager();
        Path file = store.file("commits/3");
        write(m, file, bytes("first"), false);

        CancellableFSDataOutputStream second = m.createAtomic(file, false);
        second.write(bytes("second, longer"));
        FileAlreadyExistsException refused = assertThrows(FileAlreadyExistsException.class, second::close);
        assertTrue(refused.getMessage().startsWith("Cannot publish checkpoint file: ") && refused.getMessage().contains("commits/3")
                && refused.getMessage().contains("two streaming queries must never share a checkpoint location"), refused.getMessage());
        second.cancel(); // what Spark does after a failed close: nothing more happens
        assertArrayEquals(bytes("first"), read(m, file));

        write(m, file, bytes("replaced"), true);
        assertArrayEquals(bytes("replaced"), read(m, file), "overwriteIfPossible = true replaces");
        assertEquals(List.of("3"), names(m.list(store.file("commits"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    void ofTwoWritersRacingForOneNameExactlyOneWins(String name) throws Exception {
        Store store = store(name);
        CairnCheckpointFileManager m = store.manager();
        m.createCheckpointDirectory();
        assertEquals(NoOverwrite.ATOMIC, m.noOverwrite());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                Path file = store.file("offsets/" + round);
                CountDownLatch ready = new CountDownLatch(2);
                List<Future<String>> results = new ArrayList<>();
                for (String who : List.of("A", "B")) {
                    results.add(pool.submit(() -> {
                        CancellableFSDataOutputStream out = m.createAtomic(file, false);
                        out.write(bytes(who + " wrote this"));
                        ready.countDown();
                        ready.await();
                        try {
                            out.close();
                            return who;
                        } catch (FileAlreadyExistsException e) {
                            out.cancel();
                            return "refused";
                        }
                    }));
                }
                List<String> outcome = new ArrayList<>();
                for (Future<String> f : results) {
                    outcome.add(f.get());
                }
                assertEquals(1, outcome.stream().filter(o -> o.equals("refused")).count(), "round " + round + ": " + outcome);
                String winner = outcome.stream().filter(o -> !o.equals("refused")).findFirst().orElseThrow();
                assertArrayEquals(bytes(winner + " wrote this"), read(m, file));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(20, m.list(store.file("offsets")).length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs", "s3"})
    void aCancelledFileLeavesNothing(String name) throws Exception {
        Store store = store(name);
        CairnCheckpointFileManager m = store.manager();
        m.createCheckpointDirectory();
        Path file = store.file("state/0/1/4.delta");
        CancellableFSDataOutputStream out = m.createAtomic(file, true);
        byte[] chunk = new byte[MIB];
        for (int i = 0; i < 12; i++) { // on S3 more than a part: a multipart upload is under way
            out.write(chunk);
        }
        out.cancel();
        out.cancel();
        out.close(); // Spark's state store closes its wrappers after cancelling: nothing is published
        assertFalse(m.exists(file));
        assertEquals(List.of(), names(m.list(store.file("state/0/1"))));
        assertNothingStored(store, "state/0/1/");
        assertThrows(IOException.class, () -> out.write(1), "a cancelled stream takes no more bytes");
    }

    /** Below {@code prefix}: no file at all, temporary ones included, and on S3 no multipart upload. */
    private static void assertNothingStored(Store store, String prefix) throws IOException {
        switch (store.name()) {
            case "file": {
                java.nio.file.Path dir = java.nio.file.Path.of(store.file(prefix).toUri());
                if (Files.exists(dir)) {
                    try (var files = Files.walk(dir)) {
                        assertEquals(List.of(), files.filter(Files::isRegularFile).collect(Collectors.toList()));
                    }
                }
                break;
            }
            case "hdfs": {
                org.apache.hadoop.fs.FileSystem fs = hdfs.getFileSystem();
                Path dir = new Path(store.file(prefix).toUri().getPath());
                if (fs.exists(dir)) {
                    var it = fs.listFiles(dir, true);
                    assertFalse(it.hasNext(), () -> "left behind in " + dir);
                }
                break;
            }
            default: {
                BlobStore blobs = s3.blobStore();
                String key = store.root().toUri().getPath().substring(1) + "/" + prefix;
                List<String> keys = new ArrayList<>();
                for (StorageMetadata md : blobs.list("ckpt", ListContainerOptions.Builder.prefix(key).recursive())) {
                    keys.add(md.getName());
                }
                assertEquals(List.of(), keys);
                assertEquals(List.of(), blobs.listMultipartUploads("ckpt").stream()
                        .filter(u -> u.blobName().startsWith(key)).map(u -> u.blobName()).collect(Collectors.toList()),
                        "no multipart upload stays behind");
            }
        }
    }

    @Test
    void anUploadFailingInTheServerThrowsFromCloseAndLeavesNoObject() throws Exception {
        Store store = store("s3", Map.of("spark.cairn.s3.retry.max-attempts", "1"));
        CairnCheckpointFileManager m = store.manager();
        write(m, store.file("offsets/0"), bytes("earlier batch"), false); // the store works

        // one PUT, sent by close(): the server fails it
        UploadFailures put = s3.failUploads(key -> key.endsWith("/offsets/1"), 1);
        CancellableFSDataOutputStream small = m.createAtomic(store.file("offsets/1"), false);
        small.write(bytes("{\"batchWatermarkMs\":0}"));
        IOException failed = assertThrows(IOException.class, small::close);
        assertFalse(failed instanceof FileAlreadyExistsException, failed.toString());
        assertEquals(1, put.served());
        small.cancel();
        assertFalse(m.exists(store.file("offsets/1")));

        // a multipart upload whose second part the server fails, while the writer goes on writing
        UploadFailures part = s3.failUploads(key -> key.endsWith("/state/0/0/1.snapshot"), 1_000);
        CancellableFSDataOutputStream large = m.createAtomic(store.file("state/0/0/1.snapshot"), true);
        IOException thrown = null;
        try {
            byte[] chunk = new byte[MIB];
            for (int i = 0; i < 12; i++) {
                large.write(chunk);
            }
            large.close();
        } catch (IOException e) {
            thrown = e; // from a write or from close(): never swallowed
            large.cancel();
        }
        assertNotNull(thrown, "a failed upload is thrown");
        assertTrue(part.served() >= 1);
        assertFalse(m.exists(store.file("state/0/0/1.snapshot")));
        assertNothingStored(store, "state/");
        assertEquals(List.of("0"), names(m.list(store.file("offsets"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    void aDirectoryVanishingUnderAWriteFailsCloseAndPublishesNothing(String name) throws Exception {
        Store store = store(name);
        CairnCheckpointFileManager m = store.manager();
        Path file = store.file("sources/0/5");
        CancellableFSDataOutputStream out = m.createAtomic(file, false);
        out.write(bytes("v1\n{\"path\":\"x\"}"));
        m.delete(store.file("sources")); // the volume's directory is removed (an operator, a cleanup job)
        assertThrows(IOException.class, out::close);
        out.cancel();
        assertFalse(m.exists(file));
    }

    // ------------------------------------------------------------------ reads, lists, deletes

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs", "s3"})
    void missingFilesAreMissingQuietlyWhereSparkExpectsIt(String name) throws Exception {
        Store store = store(name);
        CairnCheckpointFileManager m = store.manager();
        FileNotFoundException missing = assertThrows(FileNotFoundException.class, () -> m.open(store.file("offsets/9")));
        assertTrue(missing.getMessage().contains("offsets/9"), missing.getMessage());
        assertFalse(m.exists(store.file("offsets/9")));
        assertEquals(0, m.list(store.file("no-such-dir")).length);
        m.delete(store.file("offsets/9"));
        m.delete(store.file("no-such-dir"));

        write(m, store.file("state/0/0/1.delta"), bytes("a"), true);
        write(m, store.file("state/0/0/2.delta"), bytes("bb"), true);
        write(m, store.file("state/0/0/_metadata"), bytes("c"), true);
        assertTrue(m.exists(store.file("state/0/0")), "a directory with files exists");
        assertEquals(List.of("2.delta"), names(m.list(store.file("state/0/0"), p -> p.getName().startsWith("2."))));
        m.delete(store.file("state/0/0/1.delta"));
        assertEquals(List.of("2.delta", "_metadata"), names(m.list(store.file("state/0/0"))));
        m.delete(store.file("state"));
        assertFalse(m.exists(store.file("state/0/0/2.delta")));
        assertEquals(0, m.list(store.file("state/0/0")).length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs", "s3"})
    void readsSeekAndReadAtPositions(String name) throws Exception {
        Store store = store(name);
        CairnCheckpointFileManager m = store.manager();
        byte[] body = new byte[200_000];
        new Random(3).nextBytes(body);
        write(m, store.file("state/0/0/9.snapshot"), body, true);
        try (FSDataInputStream in = m.open(store.file("state/0/0/9.snapshot"))) {
            assertEquals(body[0] & 0xff, in.read());
            in.seek(150_000);
            assertEquals(150_000, in.getPos());
            assertEquals(body[150_000] & 0xff, in.read());
            in.seek(10);
            assertEquals(body[10] & 0xff, in.read());
            byte[] at = new byte[100];
            in.readFully(199_900, at);
            assertArrayEquals(Arrays.copyOfRange(body, 199_900, 200_000), at);
            assertEquals(11, in.getPos(), "a positioned read does not move the stream");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "hdfs"})
    void temporaryFilesOfWritesInProgressAreNeverListed(String name) throws Exception {
        Store store = store(name);
        CairnCheckpointFileManager m = store.manager();
        write(m, store.file("offsets/0"), bytes("0"), false);
        CancellableFSDataOutputStream inProgress = m.createAtomic(store.file("offsets/1"), false);
        inProgress.write(bytes("1"));
        inProgress.flush();
        assertEquals(List.of("0"), names(m.list(store.file("offsets"))));
        inProgress.close();
        assertEquals(List.of("0", "1"), names(m.list(store.file("offsets"))));
    }

    // ------------------------------------------------------------------ lagging listings

    @Test
    void onAStoreWhoseListingsLagTheNewestFilesAreListedAllTheSame() throws Exception {
        Store store = store("lagging-s3");
        CairnCheckpointFileManager writer = store.manager();
        for (int b = 0; b < 5; b++) {
            write(writer, store.file("offsets/" + b), bytes("batch " + b), false);
            write(writer, store.file("state/0/0/" + (b + 1) + ".delta"), bytes("delta " + b), true);
        }
        write(writer, store.file("state/0/0/3.snapshot"), bytes("snapshot"), true);

        // what the store itself lists right now: none of it (every write lags 2 s)
        Store strong = new Store("lagging-s3", store.root(), new Configuration(store.conf()));
        strong.conf().set("spark.cairn.s3.listing.consistency", "strong");
        assertEquals(List.of(), names(strong.manager().list(store.file("offsets"))),
                "the store's own listing lags: a restarted query would find no offsets");

        // the writer lists its own writes; a new manager (a restarted driver) finds them by looking up the next numbers
        List<String> offsets = IntStream.range(0, 5).mapToObj(Integer::toString).collect(Collectors.toList());
        assertEquals(offsets, names(writer.list(store.file("offsets"))));
        CairnCheckpointFileManager restarted = store.manager();
        assertEquals(offsets, names(restarted.list(store.file("offsets"))));
        assertEquals(new TreeSet<>(List.of("1.delta", "2.delta", "3.delta", "4.delta", "5.delta", "3.snapshot")),
                new TreeSet<>(names(restarted.list(store.file("state/0/0")))));
        FileStatus fourth = Arrays.stream(restarted.list(store.file("offsets"))).filter(s -> s.getPath().getName().equals("4"))
                .findFirst().orElseThrow();
        assertEquals(bytes("batch 4").length, fourth.getLen());

        // a deleted file is not reported any more
        writer.delete(store.file("offsets/4"));
        assertEquals(offsets.subList(0, 4), names(writer.list(store.file("offsets"))));
    }

    // ------------------------------------------------------------------ guarantees and options

    @Test
    void eachStoreSaysHowItRefusesOverwrites() throws Exception {
        Store file = store("file");
        CairnCheckpointFileManager local = file.manager();
        local.createCheckpointDirectory();
        assertEquals(NoOverwrite.ATOMIC, local.noOverwrite(), "hard links on the test's file system");

        Store hdfsStore = store("hdfs");
        assertEquals(NoOverwrite.ATOMIC, hdfsStore.manager().noOverwrite(), "HDFS's rename without overwrite");

        Store s3Store = store("s3");
        CairnCheckpointFileManager onS3 = s3Store.manager();
        write(onS3, s3Store.file("metadata"), bytes("{\"id\":\"q\"}"), false); // the store is probed on its first write
        assertEquals(NoOverwrite.CHECKED, onS3.noOverwrite(), "S3Proxy ignores If-None-Match");

        Store off = store("s3", Map.of("spark.cairn.s3.conditional-writes", "false"));
        CairnCheckpointFileManager noHeader = off.manager();
        write(noHeader, off.file("metadata"), bytes("{}"), false);
        assertEquals(NoOverwrite.CHECKED, noHeader.noOverwrite());
    }

    @Test
    void sparkCairnSettingsWinOverHadoopCairnSettingsAndUnknownSchemesFailClearly() throws Exception {
        Store store = store("s3");
        // a wrong endpoint under cairn.* (spark.hadoop.cairn.*) loses to the right one under spark.cairn.*
        store.conf().set("cairn.s3.endpoint", "http://127.0.0.1:9");
        CairnCheckpointFileManager m = store.manager();
        write(m, store.file("offsets/0"), bytes("0"), false);
        assertTrue(m.exists(store.file("offsets/0")));

        Configuration conf = new Configuration();
        CairnException unknown = assertThrows(CairnException.class,
                () -> new CairnCheckpointFileManager(new Path("nosuch://bucket/ckpt"), conf));
        assertTrue(unknown.getMessage().contains("nosuch") && unknown.getMessage().contains("s3"), unknown.getMessage());

        CairnCheckpointFileManager relative = new CairnCheckpointFileManager(new Path("target/relative-ckpt"), conf);
        assertEquals("file", relative.root().toUri().getScheme(), "a path without a scheme goes to fs.defaultFS");
        assertTrue(relative.isLocal());
        assertFalse(m.isLocal());
    }
}
