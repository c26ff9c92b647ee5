package dev.cairn.storage.tck.faults;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.memory.MemoryStorage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each fault fires where armed and nowhere else; counters and the listing delay do what they say. */
class FaultInjectingStorageTest {
    private static final Predicate<String> PARTS = name -> name.startsWith("part-");

    private final String volume = "faults-" + UUID.randomUUID();
    private final MemoryStorage memory = new MemoryStorage();
    private final FaultInjectingStorage storage = FaultInjectingStorage.wrap(memory);

    @AfterEach
    void dropVolume() {
        MemoryStorage.clear(volume);
    }

    private URI uri(String path) {
        return URI.create("memory://" + volume + "/" + path);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    private static void put(FaultInjectingStorage storage, URI file, byte[] content) throws IOException {
        try (StorageOutput out = storage.create(file, false)) {
            out.write(content);
            out.commit();
        }
    }

    private byte[] read(URI file) throws IOException {
        try (InputStream in = storage.open(file)) {
            return in.readAllBytes();
        }
    }

    // ---------------------------------------------------------------- create

    @Test
    void failCreateFailsTheNthMatchingCreateOnly() throws IOException {
        storage.failCreate(2, PARTS);

        put(storage, uri("_partitioner"), bytes(1));   // not a part: not counted
        put(storage, uri("part-00000"), bytes(1));     // 1st part
        InjectedFaultException e = assertThrows(InjectedFaultException.class,
                () -> storage.create(uri("part-00001"), false));  // 2nd part
        put(storage, uri("part-00001"), bytes(1));     // the retry goes through

        assertEquals("Cannot create file: " + uri("part-00001") + " (injected fault: create #2 of matching files"
                + " since it was armed; this is FaultInjectingStorage at work, not a real I/O error)", e.getMessage());
        assertEquals(4, storage.creates());
        assertEquals(1, storage.injectedFaults());
        assertEquals(3, memory.list(uri("")).size());
    }

    @Test
    void failCreateWithAPredicateThatMatchesNothingNeverFires() throws IOException {
        storage.failCreate(1, "part-99999"::equals);
        for (int i = 0; i < 5; i++) {
            put(storage, uri(String.format("part-%05d", i)), bytes(10));
        }
        assertEquals(0, storage.injectedFaults());
        assertEquals(5, storage.creates());
        assertEquals(5, memory.list(uri("")).size());
    }

    // ---------------------------------------------------------------- write

    @Test
    void failWriteBreaksTheOutputAndPublishesNothing() throws IOException {
        storage.failWrite(3);
        URI file = uri("part-00000");
        try (StorageOutput out = storage.create(file, false)) {
            out.write(1);
            out.write(bytes(10), 0, 10);
            assertThrows(InjectedFaultException.class, () -> out.write(bytes(10)));
            IOException after = assertThrows(IOException.class, () -> out.write(2));
            assertFalse(after instanceof InjectedFaultException, "only the armed call is injected");
            assertTrue(after.getMessage().contains("found it closed"), "a failed write discards the output: " + after.getMessage());
            assertThrows(IOException.class, out::commit);
        }
        assertThrows(NoSuchFileException.class, () -> memory.stat(file));
        assertEquals(1, storage.injectedFaults());
        assertEquals(3, storage.writes(), "the call after the fault never reaches the output");
    }

    @Test
    void failWriteCountsOnlyWritesToMatchingFiles() throws IOException {
        storage.failWrite(1, PARTS);
        put(storage, uri("_manifest.json"), bytes(5));
        assertEquals(0, storage.injectedFaults());

        try (StorageOutput out = storage.create(uri("part-00000"), false)) {
            assertThrows(InjectedFaultException.class, () -> out.write(bytes(5)));
        }
        assertEquals(1, storage.injectedFaults());
        assertArrayEquals(bytes(5), read(uri("_manifest.json")));
    }

    // ---------------------------------------------------------------- commit

    @Test
    void failCommitDiscardsTheFileAndLaterCommitsGoThrough() throws IOException {
        storage.failCommit(1, "part-00001"::equals);

        put(storage, uri("part-00000"), bytes(10));
        assertThrows(InjectedFaultException.class, () -> put(storage, uri("part-00001"), bytes(10)));
        assertThrows(NoSuchFileException.class, () -> memory.stat(uri("part-00001")));
        put(storage, uri("part-00001"), bytes(20));

        assertEquals(20, memory.stat(uri("part-00001")).length());
        assertEquals(3, storage.commits());
        assertEquals(1, storage.injectedFaults());
    }

    @Test
    void twoCommitFaultsCountIndependently() throws IOException {
        storage.failCommit(1).failCommit(2);
        assertThrows(InjectedFaultException.class, () -> put(storage, uri("a"), bytes(1)));
        assertThrows(InjectedFaultException.class, () -> put(storage, uri("b"), bytes(1)));
        put(storage, uri("c"), bytes(1));
        assertEquals(List.of("c"), memory.list(uri("")).stream().map(FileStatus::name).toList());
    }

    @Test
    void failCommitWithAPredicateThatMatchesNothingNeverFires() throws IOException {
        storage.failCommit(1, PARTS);
        put(storage, uri("_manifest.json"), bytes(3));
        put(storage, uri("_partitioner"), bytes(3));
        assertEquals(0, storage.injectedFaults());
        assertEquals(2, memory.list(uri("")).size());
    }

    // ---------------------------------------------------------------- read

    @Test
    void flipByteOnReadInvertsExactlyOneByteOfMatchingFiles() throws IOException {
        byte[] content = bytes(1000);
        put(storage, uri("part-00000"), content);
        put(storage, uri("_manifest.json"), content);
        storage.flipByteOnRead(500, "part-00000"::equals);

        byte[] bulk = read(uri("part-00000"));
        byte[] expected = content.clone();
        expected[500] ^= (byte) 0xff;
        assertArrayEquals(expected, bulk);

        try (InputStream in = storage.open(uri("part-00000"))) {
            assertEquals(500, in.skip(500));
            assertEquals(expected[500] & 0xff, in.read(), "single-byte read at the flipped offset");
            assertEquals(content[501] & 0xff, in.read());
        }
        assertArrayEquals(content, read(uri("_manifest.json")), "a file the predicate rejects is untouched");
        assertEquals(1000, storage.stat(uri("part-00000")).length(), "stat still reports the true length");
        assertEquals(2, storage.injectedFaults());
    }

    @Test
    void flipBeyondTheEndOfTheFileChangesNothing() throws IOException {
        put(storage, uri("part-00000"), bytes(10));
        storage.flipByteOnRead(10, PARTS);
        assertArrayEquals(bytes(10), read(uri("part-00000")));
        assertEquals(0, storage.injectedFaults());
    }

    @Test
    void truncateOnReadEndsMatchingStreamsEarly() throws IOException {
        put(storage, uri("part-00000"), bytes(1000));
        put(storage, uri("part-00001"), bytes(1000));
        storage.truncateOnRead(100, "part-00000"::equals);

        assertArrayEquals(bytes(100), read(uri("part-00000")));
        try (InputStream in = storage.open(uri("part-00000"))) {
            assertEquals(100, in.skip(5000), "skip stops at the cut too");
            assertEquals(-1, in.read());
        }
        assertArrayEquals(bytes(1000), read(uri("part-00001")));
        assertEquals(1000, storage.stat(uri("part-00000")).length());
        assertEquals(2, storage.injectedFaults());
    }

    @Test
    void truncateAtOrPastTheLengthIsNotAFault() throws IOException {
        put(storage, uri("part-00000"), bytes(100));
        storage.truncateOnRead(100, PARTS);
        assertArrayEquals(bytes(100), read(uri("part-00000")));
        assertEquals(0, storage.injectedFaults());
    }

    @Test
    void disarmStopsEveryFault() throws IOException {
        put(storage, uri("part-00000"), bytes(100));
        storage.failCreate(1).failCommit(1).flipByteOnRead(0, PARTS).truncateOnRead(1, PARTS);
        storage.disarm();
        put(storage, uri("part-00001"), bytes(10));
        assertArrayEquals(bytes(100), read(uri("part-00000")));
        assertEquals(0, storage.injectedFaults());
    }

    // ---------------------------------------------------------------- listing delay and counters

    @Test
    void listingDelayHidesFreshCommitsFromListingsOnly() throws Exception {
        // long enough that the "hidden right after commit" check holds on a loaded machine
        Duration delay = Duration.ofSeconds(1);
        FaultInjectingStorage lagging = FaultInjectingStorage.wrap(memory, delay);
        assertEquals(ListingConsistency.EVENTUAL, lagging.listing());
        put(lagging, uri("old"), bytes(1));
        URI dir = uri("d");

        long start = System.nanoTime();
        // spelled with a doubled slash: the listing must still match it to the listed location
        put(lagging, URI.create("memory://" + volume + "/d//fresh"), bytes(3));
        put(lagging, uri("d/sub/deeper"), bytes(3));

        assertEquals(List.of("sub"), lagging.list(dir).stream().map(FileStatus::name).toList(),
                "a fresh file is hidden, the directory implied by another fresh file is not");
        assertEquals(3, lagging.stat(uri("d/fresh")).length(), "stat sees the file at once");
        assertArrayEquals(bytes(3), readAll(lagging, uri("d/fresh")));

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<FileStatus> listing = lagging.list(dir);
        while (listing.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
            listing = lagging.list(dir);
        }
        long waited = System.nanoTime() - start;
        assertEquals(List.of("fresh", "sub"), listing.stream().map(FileStatus::name).toList());
        assertTrue(waited >= delay.toNanos(), "listed after " + Duration.ofNanos(waited) + ", delay " + delay);
        assertTrue(lagging.lists() >= 2);
    }

    @Test
    void withoutADelayListingsAreTheDelegatesAndImmediate() throws IOException {
        assertSame(memory.listing(), storage.listing());
        assertEquals(Duration.ZERO, storage.listingDelay());
        put(storage, uri("now"), bytes(1));
        assertEquals(List.of("now"), storage.list(uri("")).stream().map(FileStatus::name).toList());
    }

    @Test
    void everyCallIsCountedWhetherItSucceedsOrNot() throws IOException {
        put(storage, uri("a"), bytes(4));
        storage.stat(uri("a"));
        assertThrows(NoSuchFileException.class, () -> storage.stat(uri("missing")));
        assertThrows(NoSuchFileException.class, () -> storage.open(uri("missing")));
        read(uri("a"));
        storage.list(uri(""));
        storage.delete(uri("a"));
        storage.delete(uri("a"));

        assertEquals(1, storage.creates());
        assertEquals(1, storage.writes());
        assertEquals(1, storage.commits());
        assertEquals(2, storage.stats());
        assertEquals(2, storage.opens());
        assertEquals(1, storage.lists());
        assertEquals(2, storage.deletes());
        assertEquals(0, storage.injectedFaults());
    }

    @Test
    void badArgumentsAreRejectedWhenArming() {
        assertThrows(IllegalArgumentException.class, () -> storage.failCommit(0));
        assertThrows(IllegalArgumentException.class, () -> storage.flipByteOnRead(-1, PARTS));
        assertThrows(IllegalArgumentException.class, () -> storage.truncateOnRead(-1, PARTS));
        assertThrows(NullPointerException.class, () -> storage.failCreate(1, null));
        assertThrows(IllegalArgumentException.class, () -> FaultInjectingStorage.wrap(memory, Duration.ofMillis(-1)));
    }

    @Test
    void namesAndKeysAreTheDecodedLastSegmentAndASpellingFreeForm() {
        assertEquals("part 1", FaultInjectingStorage.nameOf(URI.create("file:///tmp/d/part%201")));
        assertEquals("d", FaultInjectingStorage.nameOf(URI.create("s3://bucket/d/")));
        assertEquals(FaultInjectingStorage.key(URI.create("file:///tmp//a/")), FaultInjectingStorage.key(URI.create("file:/tmp/a")));
        assertNotEquals(FaultInjectingStorage.key(URI.create("s3://b1/a")), FaultInjectingStorage.key(URI.create("s3://b2/a")));
        assertInstanceOf(IOException.class, new InjectedFaultException("x"));
    }

    private static byte[] readAll(FaultInjectingStorage s, URI file) throws IOException {
        try (InputStream in = s.open(file)) {
            return in.readAllBytes();
        }
    }
}
