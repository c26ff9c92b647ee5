package dev.cairn.storage.tck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link Storage} backend must keep, as one abstract JUnit 5 suite. A backend
 * module runs it by subclassing in its own tests:
 *
 * <pre>{@code
 * class LocalStorageContractTest extends StorageContractTest {
 *     private static final LocalStorage STORAGE = new LocalStorage();
 *     @TempDir Path dir;
 *
 *     @Override protected Storage storage() { return STORAGE; }
 *     @Override protected URI newBaseDirectory() { return dir.resolve("base").toUri(); }
 *
 *     @AfterAll static void close() throws IOException { STORAGE.close(); }
 * }
 * }</pre>
 *
 * <p>Close the storage in {@code @AfterAll}, not {@code @AfterEach}: this class deletes each
 * test's base directory through the storage in its own {@code @AfterEach}, which JUnit runs
 * after the subclass's.
 *
 * <p>Backends whose server is expensive (an HDFS mini cluster, an S3 protocol server) start it
 * once in a static {@code @BeforeAll} of the subclass, return one shared storage from
 * {@link #storage()} and a fresh prefix per test from {@link #newBaseDirectory()}, e.g.
 * {@code s3://bucket/<uuid>/}. JUnit runs the subclass's {@code @BeforeAll} and field
 * injection (such as {@code @TempDir}) before this class's {@code @BeforeEach}, which is the
 * first to call either method.
 *
 * <h2>What the suite promises the subclass</h2>
 * <ul>
 *   <li>{@link #storage()} and {@link #newBaseDirectory()} are called once per test, before it
 *       runs. The suite never closes the storage: its owner (the subclass) does.</li>
 *   <li>Every file a test writes lies under that test's base directory, and the base
 *       directory is deleted (through the storage under test) after each test.</li>
 *   <li>The suite reads {@link Storage#listing()} instead of asking for skipped copies:
 *       on a backend with {@linkplain ListingConsistency#EVENTUAL eventual} listings, listing
 *       assertions poll for up to {@link #listingTimeout()}; on a
 *       {@linkplain ListingConsistency#STRONG strong} one they must hold at once. Where a test
 *       only makes sense for one kind, it says so with an assumption.</li>
 *   <li>Sizes that cost time on remote stores can be lowered: {@link #largeFileSize()},
 *       {@link #smallFileCount()}, {@link #writerThreads()}.</li>
 * </ul>
 *
 * <h2>Rules the suite checks beyond the {@code Storage} javadoc</h2>
 * These are the choices the SPI leaves open, pinned down here so that core can rely on them:
 * <ul>
 *   <li>An output has three states: open, committed, closed. {@code write} or {@code commit}
 *       on a committed or closed output throws {@link IOException} (so a second
 *       {@code commit} throws too); {@code flush} and {@code close} on a committed output do
 *       nothing, since stream wrappers flush and close after the commit; a second
 *       {@code close} does nothing.</li>
 *   <li>A write in progress is invisible under its final name; a backend that publishes by
 *       rename may list its temporary file meanwhile, but only under a name starting with
 *       {@code .} or {@code _}, so it never looks like a part file. After
 *       {@code close} without {@code commit} that temporary is gone.</li>
 *   <li>When two outputs for one missing file race with {@code overwrite == false}, exactly
 *       one commit wins; the other fails with {@link FileAlreadyExistsException}.</li>
 *   <li>{@link Storage#list} accepts a directory URI with or without a trailing slash and returns
 *       locations that {@code stat} and {@code open} accept as they are; directories are
 *       reported without a trailing slash, with length 0.</li>
 *   <li>Paths may contain spaces, non-ASCII letters and characters URIs escape, such as
 *       {@code %} and {@code +}; URIs name them percent-encoded (UTF-8).</li>
 * </ul>
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class StorageContractTest {
    private static final int MIB = 1 << 20;

    private Storage storage;
    private URI base;

    /**
     * The storage under test. May return the same instance for every test of the class; it
     * must stay open for the whole class, and the subclass closes it.
     */
    protected abstract Storage storage() throws Exception;

    /**
     * A directory for one test: empty (it need not exist yet), used by no other test, and
     * served by {@link #storage()}. With or without a trailing slash.
     */
    protected abstract URI newBaseDirectory() throws Exception;

    /** Size of the file the large-file test streams; 64 MiB unless overridden. */
    protected long largeFileSize() {
        return 64L * MIB;
    }

    /** How many files the many-small-files test writes into one directory; 500 unless overridden. */
    protected int smallFileCount() {
        return 500;
    }

    /** How many threads write at once in the concurrency tests; 4 unless overridden. */
    protected int writerThreads() {
        return 4;
    }

    /**
     * How long a listing assertion polls on a backend with eventual listings before it fails;
     * 30 s unless overridden. Unused for strong listings, which must be right at once.
     */
    protected Duration listingTimeout() {
        return Duration.ofSeconds(30);
    }

    @BeforeEach
    final void openStorageAndBaseDirectory() throws Exception {
        storage = storage();
        base = newBaseDirectory();
        assertNotNull(storage, "storage() returned null");
        assertNotNull(base, "newBaseDirectory() returned null");
        assertNotNull(storage.listing(), "listing() returned null");
    }

    @AfterEach
    final void deleteBaseDirectory() throws Exception {
        if (storage != null && base != null) {
            storage.delete(base);
        }
    }

    // ---------------------------------------------------------------- write, commit, read back

    @Test
    void committedFileReadsBackWithItsLengthAndName() throws Exception {
        URI file = file("part-00000");
        byte[] content = content("part-00000", 10_000);

        write(file, content);

        assertArrayEquals(content, read(file));
        FileStatus status = storage.stat(file);
        assertEquals(content.length, status.length());
        assertFalse(status.directory(), "a committed file must not stat as a directory");
        assertEquals("part-00000", status.name());
    }

    @Test
    void emptyFileCanBeCommittedAndRead() throws Exception {
        URI file = file("_SUCCESS");
        try (StorageOutput out = storage.create(file, false)) {
            out.commit();
        }
        assertEquals(0, storage.stat(file).length());
        try (InputStream in = storage.open(file)) {
            assertEquals(-1, in.read(), "an empty file must read as end of stream at once");
        }
    }

    @Test
    void aStoppedTaskPublishesNothing() throws Exception {
        // Engines stop tasks they gave up on by interrupting them; a part published afterwards
        // would be debris in a failed checkpoint (the rule of StorageOutput's javadoc).
        URI file = file("part-00007");
        StorageOutput out = storage.create(file, false);
        out.write(content("stopped", 100));
        Thread.currentThread().interrupt();
        try {
            assertThrows(java.io.InterruptedIOException.class, out::commit);
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the task to see");
        } finally {
            Thread.interrupted();
        }
        assertThrows(IOException.class, () -> out.write(1), "the output is discarded");
        out.close();
        assertThrows(NoSuchFileException.class, () -> storage.stat(file));
        try (StorageOutput again = storage.create(file, false)) {
            again.write(content("again", 10));
            again.commit(); // nothing was left in the way
        }
        assertArrayEquals(content("again", 10), read(file));
    }

    @Test
    void everyWriteMethodLandsInTheFile() throws Exception {
        URI file = file("counted");
        byte[] bytes = content("counted", 1000);
        try (StorageOutput out = storage.create(file, false)) {
            out.write(bytes[0]);
            out.write(bytes, 1, 0);
            out.write(bytes, 1, 499);
            out.write(java.util.Arrays.copyOfRange(bytes, 500, 1000));
            out.commit();
        }
        assertEquals(1000, storage.stat(file).length());
        assertArrayEquals(bytes, read(file));
    }

    @Test
    void commitCreatesMissingParentDirectories() throws Exception {
        URI file = file("a/b/c/part-00000");
        write(file, content("deep", 100));

        assertEquals(100, storage.stat(file).length());
        List<FileStatus> children = listUntil(file("a"), l -> names(l).contains("b"));
        assertEquals(Map.of("b", true), kinds(children), "listing of a: " + children);
    }

    // ---------------------------------------------------------------- visibility before commit

    @Test
    void aWriteInProgressIsInvisibleUnderItsFinalName() throws Exception {
        URI dir = file("dataset-1");
        URI file = file("dataset-1/part-00000");
        try (StorageOutput out = storage.create(file, false)) {
            out.write(content("in progress", 4096));
            out.flush();

            assertThrows(NoSuchFileException.class, () -> storage.stat(file));
            assertThrows(NoSuchFileException.class, () -> storage.open(file).close());
            for (FileStatus entry : storage.list(dir)) {
                assertTemporary(entry, "part-00000");
            }

            out.commit();
        }
        assertEquals(4096, storage.stat(file).length());
    }

    @Test
    void closeWithoutCommitLeavesNothingBehind() throws Exception {
        URI dir = file("dataset-2");
        URI file = file("dataset-2/part-00000");
        try (StorageOutput out = storage.create(file, false)) {
            out.write(content("discarded", 4096));
        }

        assertThrows(NoSuchFileException.class, () -> storage.stat(file));
        assertThrows(NoSuchFileException.class, () -> storage.open(file).close());
        List<FileStatus> left = listUntil(dir, List::isEmpty);
        assertEquals(List.of(), left, "close without commit must not leave the file or a temporary behind");

        // The discarded attempt must not block a retry that is not allowed to overwrite.
        write(file, content("retry", 10));
        assertEquals(10, storage.stat(file).length());
    }

    @Test
    void anExceptionInsideTryWithResourcesDiscardsTheFile() throws Exception {
        URI file = file("failed-task");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> {
            try (StorageOutput out = storage.create(file, false)) {
                out.write(content("half", 1000));
                throw new IllegalStateException("task failed halfway");
            }
        });
        assertEquals("task failed halfway", thrown.getMessage());
        assertThrows(NoSuchFileException.class, () -> storage.stat(file));
    }

    // ---------------------------------------------------------------- output lifecycle

    @Test
    void writeAfterCommitFailsAndLeavesTheFileAsCommitted() throws Exception {
        URI file = file("sealed");
        try (StorageOutput out = storage.create(file, false)) {
            out.write(content("sealed", 100));
            out.commit();
            assertThrows(IOException.class, () -> out.write(1));
            assertThrows(IOException.class, () -> out.write(new byte[10], 0, 10));
        }
        assertArrayEquals(content("sealed", 100), read(file));
    }

    @Test
    void secondCommitFailsAndLeavesTheFileAsCommitted() throws Exception {
        URI file = file("twice");
        try (StorageOutput out = storage.create(file, false)) {
            out.write(content("twice", 100));
            out.commit();
            assertThrows(IOException.class, out::commit);
        }
        assertArrayEquals(content("twice", 100), read(file));
    }

    @Test
    void commitAfterCloseFailsAndPublishesNothing() throws Exception {
        URI file = file("closed-first");
        StorageOutput out = storage.create(file, false);
        out.write(content("closed-first", 100));
        out.close();

        assertThrows(IOException.class, out::commit);
        assertThrows(IOException.class, () -> out.write(1));
        assertThrows(NoSuchFileException.class, () -> storage.stat(file));
    }

    @Test
    void flushAndCloseAfterCommitAndRepeatedCloseKeepTheFile() throws Exception {
        URI file = file("kept");
        StorageOutput out = storage.create(file, false);
        out.write(content("kept", 100));
        out.commit();
        out.flush(); // stream wrappers flush as they close, often after the commit
        out.close();
        out.close();
        assertArrayEquals(content("kept", 100), read(file));
    }

    // ---------------------------------------------------------------- overwrite

    @Test
    void createWithoutOverwriteNeverReplacesAnExistingFile() throws Exception {
        URI file = file("part-00000");
        byte[] original = content("original", 1000);
        write(file, original);

        assertThrows(FileAlreadyExistsException.class, () -> {
            try (StorageOutput out = storage.create(file, false)) {
                out.write(content("intruder", 10));
                out.commit();
            }
        });

        assertArrayEquals(original, read(file));
        assertEquals(original.length, storage.stat(file).length());
    }

    @Test
    void createWithOverwriteReplacesTheFileWhole() throws Exception {
        URI file = file("part-00000");
        write(file, content("original", 1000));
        byte[] replacement = content("replacement", 10);

        try (StorageOutput out = storage.create(file, true)) {
            out.write(replacement);
            out.commit();
        }

        assertArrayEquals(replacement, read(file));
        assertEquals(replacement.length, storage.stat(file).length());
    }

    @Test
    void overwriteOfAMissingFileCreatesIt() throws Exception {
        URI file = file("new");
        try (StorageOutput out = storage.create(file, true)) {
            out.write(content("new", 10));
            out.commit();
        }
        assertArrayEquals(content("new", 10), read(file));
    }

    @Test
    void whenTwoWritersRaceWithoutOverwriteExactlyOneWins() throws Exception {
        URI file = file("_manifest.json");
        byte[] first = content("first", 300);
        try (StorageOutput a = storage.create(file, false); StorageOutput b = storage.create(file, false)) {
            a.write(first);
            b.write(content("second", 200));

            a.commit();
            assertThrows(FileAlreadyExistsException.class, b::commit,
                    "the second commit of a file that appeared meanwhile must fail, not replace it");
        }
        assertArrayEquals(first, read(file));
    }

    // ---------------------------------------------------------------- missing files

    @Test
    void statAndOpenOfAMissingFileThrowNoSuchFile() {
        URI missing = file("missing");
        URI underMissingDirectory = file("no/such/dir/file");

        assertThrows(NoSuchFileException.class, () -> storage.stat(missing));
        assertThrows(NoSuchFileException.class, () -> storage.open(missing).close());
        assertThrows(NoSuchFileException.class, () -> storage.stat(underMissingDirectory));
        assertThrows(NoSuchFileException.class, () -> storage.open(underMissingDirectory).close());
    }

    // ---------------------------------------------------------------- listing

    @Test
    void listShowsDirectChildrenOnlyWithSubDirectoriesAsDirectories() throws Exception {
        write(file("d/a"), content("a", 10));
        write(file("d/b"), content("b", 20));
        write(file("d/sub/c"), content("c", 30));
        write(file("d/sub/deeper/e"), content("e", 40));

        List<FileStatus> top = listUntil(file("d"), l -> names(l).equals(new TreeSet<>(List.of("a", "b", "sub"))));
        assertEquals(Map.of("a", false, "b", false, "sub", true), kinds(top), "listing of d: " + top);
        Map<String, FileStatus> byName = byName(top);
        assertEquals(10, byName.get("a").length());
        assertEquals(20, byName.get("b").length());
        assertEquals(0, byName.get("sub").length(), "a directory has length 0");
        for (FileStatus s : top) {
            assertFalse(s.location().getPath().endsWith("/"), "listed location ends with a slash: " + s.location());
        }

        List<FileStatus> sub = listUntil(file("d/sub"), l -> names(l).equals(new TreeSet<>(List.of("c", "deeper"))));
        assertEquals(Map.of("c", false, "deeper", true), kinds(sub), "listing of d/sub: " + sub);
    }

    @Test
    void listedLocationsAreAcceptedByStatAndOpen() throws Exception {
        write(file("d/x"), content("x", 77));
        write(file("d/inner/y"), content("y", 5));

        List<FileStatus> listing = listUntil(file("d"), l -> l.size() == 2);
        assertEquals(Map.of("x", false, "inner", true), kinds(listing));
        for (FileStatus s : listing) {
            if (s.directory()) {
                List<FileStatus> inner = listUntil(s.location(), l -> l.size() == 1);
                assertEquals(Map.of("y", false), kinds(inner), "listing of listed " + s.location());
            } else {
                assertEquals(77, storage.stat(s.location()).length(), "stat of listed " + s.location());
                assertArrayEquals(content("x", 77), read(s.location()), "open of listed " + s.location());
            }
        }
    }

    @Test
    void listAcceptsADirectoryWithOrWithoutATrailingSlash() throws Exception {
        write(file("d/a"), content("a", 1));
        write(file("d/s/b"), content("b", 1));

        URI noSlash = file("d");
        URI slash = URI.create(noSlash.toASCIIString() + "/");
        assertEquals(kinds(listUntil(noSlash, l -> l.size() == 2)), kinds(listUntil(slash, l -> l.size() == 2)));
    }

    @Test
    void listOfAMissingDirectoryIsEmpty() throws Exception {
        assertEquals(List.of(), storage.list(file("nothing-here")));
        assertEquals(List.of(), storage.list(file("nothing/here/either")));
    }

    @Test
    void listDoesNotConfuseSiblingsThatShareAPrefix() throws Exception {
        write(file("p/part-1"), content("1", 1));
        write(file("p-other/part-2"), content("2", 2));
        write(file("px"), content("3", 3));

        List<FileStatus> p = listUntil(file("p"), l -> l.size() == 1);
        assertEquals(Map.of("part-1", false), kinds(p), "listing of p: " + p);
    }

    @Test
    void aCommittedFileIsListedWithItsFinalSize() throws Exception {
        URI file = file("dataset-3/part-00000");
        write(file, content("listed", 1234));

        List<FileStatus> listing = listUntil(file("dataset-3"),
                l -> l.stream().anyMatch(s -> s.name().equals("part-00000") && s.length() == 1234));
        FileStatus listed = byName(listing).get("part-00000");
        assertNotNull(listed, "committed file missing from listing " + listing);
        assertEquals(1234, listed.length());
    }

    @Test
    void strongListingShowsACommitAsSoonAsItReturns() throws Exception {
        assumeTrue(storage.listing() == ListingConsistency.STRONG,
                "only for backends that declare strong listings");
        URI dir = file("strong");
        for (int i = 0; i < 20; i++) {
            String name = String.format("part-%05d", i);
            write(file("strong/" + name), content(name, i));
            List<FileStatus> listing = storage.list(dir);
            assertEquals(i + 1, listing.size(), "after committing " + name + ": " + listing);
            assertEquals(i, byName(listing).get(name).length());
        }
    }

    // ---------------------------------------------------------------- delete

    @Test
    void deleteRemovesAFileButNotASiblingThatSharesItsPrefix() throws Exception {
        write(file("a"), content("a", 10));
        write(file("ab"), content("ab", 10));

        storage.delete(file("a"));

        assertThrows(NoSuchFileException.class, () -> storage.stat(file("a")));
        assertThrows(NoSuchFileException.class, () -> storage.open(file("a")).close());
        assertArrayEquals(content("ab", 10), read(file("ab")));
    }

    @Test
    void deleteOfADirectoryRemovesEverythingUnderIt() throws Exception {
        List<URI> inside = List.of(file("d/x"), file("d/sub/y"), file("d/sub/deeper/z"));
        for (URI f : inside) {
            write(f, content(f.getPath(), 100));
        }
        write(file("d-sibling/w"), content("w", 5));
        write(file("dx"), content("dx", 6));

        storage.delete(file("d"));

        for (URI f : inside) {
            assertThrows(NoSuchFileException.class, () -> storage.stat(f), "still there: " + f);
        }
        assertEquals(List.of(), listUntil(file("d"), List::isEmpty));
        assertEquals(List.of(), listUntil(file("d/sub"), List::isEmpty));
        assertArrayEquals(content("w", 5), read(file("d-sibling/w")));
        assertArrayEquals(content("dx", 6), read(file("dx")));
    }

    @Test
    void deleteOfSomethingMissingSucceeds() throws Exception {
        storage.delete(file("never-written"));
        storage.delete(file("never/written/deep"));

        write(file("once"), content("once", 1));
        storage.delete(file("once"));
        storage.delete(file("once"));
        assertThrows(NoSuchFileException.class, () -> storage.stat(file("once")));
    }

    // ---------------------------------------------------------------- volume

    @Test
    void aLargeFileStreamsThroughWithoutLoss() throws Exception {
        long size = largeFileSize();
        URI file = file("large");
        int chunk = MIB - 3; // deliberately not a power of two, to cross every buffer boundary
        byte[] buffer = new byte[chunk];
        CRC32C written = new CRC32C();
        SplittableRandom random = new SplittableRandom(42);
        try (StorageOutput out = storage.create(file, false)) {
            for (long done = 0; done < size; ) {
                int n = (int) Math.min(chunk, size - done);
                random.nextBytes(buffer);
                out.write(buffer, 0, n);
                written.update(buffer, 0, n);
                done += n;
            }
            out.commit();
        }

        assertEquals(size, storage.stat(file).length());
        CRC32C read = new CRC32C();
        long length = 0;
        try (InputStream in = storage.open(file)) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                read.update(buffer, 0, n);
                length += n;
            }
        }
        assertEquals(size, length, "bytes read back");
        assertEquals(written.getValue(), read.getValue(), "CRC32C of the bytes read back");
    }

    @Test
    void manySmallFilesInOneDirectory() throws Exception {
        int count = smallFileCount();
        TreeSet<String> expected = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            String name = String.format("part-%05d", i);
            expected.add(name);
            write(file("many/" + name), name.getBytes(UTF_8));
        }

        List<FileStatus> listing = listUntil(file("many"), l -> names(l).equals(expected));
        assertEquals(expected, names(listing));
        for (FileStatus s : listing) {
            assertEquals(s.name().length(), s.length(), "listed size of " + s.name());
            assertEquals(s.name(), new String(read(s.location()), UTF_8));
        }
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrentWritersToDifferentFilesAllCommit() throws Exception {
        int threads = writerThreads();
        int filesEach = 25;
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Void>> writers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int writer = t;
            writers.add(() -> {
                start.await();
                for (int i = 0; i < filesEach; i++) {
                    String name = "w" + writer + "-" + i;
                    write(file("concurrent/" + name), content(name, 8192 + i));
                }
                return null;
            });
        }
        runAll(writers, start);

        TreeSet<String> expected = new TreeSet<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < filesEach; i++) {
                String name = "w" + t + "-" + i;
                expected.add(name);
                assertArrayEquals(content(name, 8192 + i), read(file("concurrent/" + name)), name);
            }
        }
        assertEquals(expected, names(listUntil(file("concurrent"), l -> names(l).equals(expected))));
    }

    @Test
    void concurrentReadersSeeCompleteFilesWhileOthersAreWritten() throws Exception {
        byte[] settled = content("settled", 256 * 1024);
        write(file("mixed/settled"), settled);
        int threads = writerThreads();
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int task = t;
            tasks.add(() -> {
                start.await();
                for (int i = 0; i < 10; i++) {
                    if (task % 2 == 0) {
                        String name = "fresh-" + task + "-" + i;
                        write(file("mixed/" + name), content(name, 64 * 1024));
                    } else {
                        assertArrayEquals(settled, read(file("mixed/settled")), "reader " + task + " pass " + i);
                    }
                }
                return null;
            });
        }
        runAll(tasks, start);
        assertArrayEquals(settled, read(file("mixed/settled")));
    }

    @Test
    void aFileReadsWhileAnotherIsWrittenInTheSameDirectory() throws Exception {
        byte[] a = content("a", 128 * 1024);
        byte[] b = content("b", 128 * 1024);
        write(file("same/a"), a);

        try (StorageOutput out = storage.create(file("same/b"), false);
             InputStream inA = storage.open(file("same/a"))) {
            out.write(b, 0, b.length / 2);
            byte[] firstHalf = inA.readNBytes(a.length / 2);

            assertArrayEquals(a, read(file("same/a")), "a second reader of a while b is half written");
            assertThrows(NoSuchFileException.class, () -> storage.stat(file("same/b")));
            List<FileStatus> listing = listUntil(file("same"), l -> names(l).contains("a"));
            for (FileStatus s : listing) {
                if (!s.name().equals("a")) {
                    assertTemporary(s, "b");
                }
            }

            out.write(b, b.length / 2, b.length - b.length / 2);
            out.commit();

            byte[] secondHalf = inA.readAllBytes();
            assertArrayEquals(a, concat(firstHalf, secondHalf), "a stream opened before b's commit");
        }
        assertArrayEquals(b, read(file("same/b")));
        assertEquals(Map.of("a", false, "b", false), kinds(listUntil(file("same"), l -> l.size() == 2)));
    }

    // ---------------------------------------------------------------- names

    @Test
    void pathsWithSpacesUnicodeAndUriSpecialCharactersWork() throws Exception {
        List<String> names = List.of(
                "with space",
                "ünïcødé-名前-😀",
                "percent%41literal",
                "plus+amp&eq=",
                "dir with space/sub ü/leaf file");
        for (String name : names) {
            write(file("names/" + name), name.getBytes(UTF_8));
        }
        for (String name : names) {
            URI f = file("names/" + name);
            assertArrayEquals(name.getBytes(UTF_8), read(f), name);
            FileStatus s = storage.stat(f);
            assertEquals(name.getBytes(UTF_8).length, s.length(), name);
            assertEquals(name.substring(name.lastIndexOf('/') + 1), s.name(), "name of " + f);
        }

        TreeSet<String> top = new TreeSet<>(List.of("with space", "ünïcødé-名前-😀", "percent%41literal",
                "plus+amp&eq=", "dir with space"));
        List<FileStatus> listing = listUntil(file("names"), l -> names(l).equals(top));
        assertEquals(top, names(listing));
        for (FileStatus s : listing) {
            if (!s.directory()) {
                assertArrayEquals(s.name().getBytes(UTF_8), read(s.location()), "via listed " + s.location());
            }
        }
        assertEquals(Map.of("leaf file", false), kinds(listUntil(file("names/dir with space/sub ü"), l -> l.size() == 1)));

        storage.delete(file("names/dir with space"));
        assertThrows(NoSuchFileException.class, () -> storage.stat(file("names/dir with space/sub ü/leaf file")));
        storage.delete(file("names/percent%41literal"));
        assertThrows(NoSuchFileException.class, () -> storage.stat(file("names/percent%41literal")));
        assertArrayEquals("with space".getBytes(UTF_8), read(file("names/with space")));
    }

    // ================================================================ helpers for subclasses

    /** The storage of the running test, as {@link #storage()} returned it. */
    protected final Storage currentStorage() {
        return storage;
    }

    /** The base directory of the running test, as {@link #newBaseDirectory()} returned it. */
    protected final URI baseDirectory() {
        return base;
    }

    /** {@code relativePath} (segments separated by {@code /}, unencoded) under the test's base directory. */
    protected final URI file(String relativePath) {
        return child(base, relativePath);
    }

    /**
     * {@code relativePath} (unencoded segments separated by {@code /}) appended to
     * {@code directory}, each segment percent-encoded as UTF-8 so that spaces, non-ASCII and
     * {@code %} survive any backend's URI parsing. The directory may end with a slash or not.
     */
    public static URI child(URI directory, String relativePath) {
        StringBuilder uri = new StringBuilder(directory.toASCIIString());
        if (uri.charAt(uri.length() - 1) != '/') {
            uri.append('/');
        }
        String[] segments = relativePath.split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].isEmpty()) {
                throw new IllegalArgumentException("Cannot build URI under " + directory
                        + " (expected non-empty path segments, found '" + relativePath + "')");
            }
            if (i > 0) {
                uri.append('/');
            }
            for (byte b : segments[i].getBytes(UTF_8)) {
                int c = b & 0xff;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_' || c == '~') {
                    uri.append((char) c);
                } else {
                    uri.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
                }
            }
        }
        return URI.create(uri.toString());
    }

    /** Writes and commits {@code content} to {@code file} without overwrite. */
    protected final void write(URI file, byte[] content) throws IOException {
        try (StorageOutput out = storage.create(file, false)) {
            out.write(content);
            out.commit();
        }
    }

    /** Every byte of {@code file}. */
    protected final byte[] read(URI file) throws IOException {
        try (InputStream in = storage.open(file)) {
            return in.readAllBytes();
        }
    }

    /** Deterministic pseudo-random bytes, different for each {@code seed}. */
    protected static byte[] content(String seed, int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed.hashCode() * 31L + size).nextBytes(bytes);
        return bytes;
    }

    /**
     * Lists {@code directory} until {@code done} holds. On a strong backend that is one listing,
     * returned whatever it shows (the caller's assertion then fails at once if it is wrong); on
     * an eventual one the listing is retried with growing pauses for up to
     * {@link #listingTimeout()}, and the last one is returned either way.
     */
    protected final List<FileStatus> listUntil(URI directory, Predicate<List<FileStatus>> done) throws Exception {
        List<FileStatus> listing = storage.list(directory);
        if (storage.listing() == ListingConsistency.STRONG) {
            return listing;
        }
        long deadline = System.nanoTime() + listingTimeout().toNanos();
        long pauseMillis = 5;
        while (!done.test(listing) && System.nanoTime() < deadline) {
            Thread.sleep(pauseMillis);
            pauseMillis = Math.min(pauseMillis * 2, 500);
            listing = storage.list(directory);
        }
        return listing;
    }

    private static TreeSet<String> names(List<FileStatus> listing) {
        TreeSet<String> names = new TreeSet<>();
        listing.forEach(s -> names.add(s.name()));
        return names;
    }

    private static Map<String, Boolean> kinds(List<FileStatus> listing) {
        Map<String, Boolean> kinds = new TreeMap<>();
        for (FileStatus s : listing) {
            if (kinds.put(s.name(), s.directory()) != null) {
                fail("listed twice: " + s.name() + " in " + listing);
            }
        }
        return kinds;
    }

    private static Map<String, FileStatus> byName(List<FileStatus> listing) {
        Map<String, FileStatus> map = new HashMap<>();
        listing.forEach(s -> map.put(s.name(), s));
        return map;
    }

    private void assertTemporary(FileStatus entry, String finalName) {
        assertFalse(entry.name().equals(finalName), "listed under its final name before commit: " + entry);
        assertTrue(entry.name().startsWith(".") || entry.name().startsWith("_"),
                "a temporary file must have a hidden name (starting with . or _), found " + entry);
    }

    private static void runAll(List<Callable<Void>> tasks, CountDownLatch start) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<Void>> futures = new ArrayList<>();
            for (Callable<Void> task : tasks) {
                futures.add(pool.submit(task));
            }
            start.countDown();
            for (Future<Void> f : futures) {
                f.get(4, TimeUnit.MINUTES); // an ExecutionException carries the task's own failure
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
