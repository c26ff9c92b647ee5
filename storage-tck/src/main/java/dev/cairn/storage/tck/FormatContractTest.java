package dev.cairn.storage.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CheckpointException;
import dev.cairn.CheckpointIOException;
import dev.cairn.CorruptPartException;
import dev.cairn.HashPartitioner;
import dev.cairn.MissingPartException;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointScanner;
import dev.cairn.checkpoint.CheckpointSpec;
import dev.cairn.checkpoint.CheckpointWriter;
import dev.cairn.checkpoint.PartIterator;
import dev.cairn.checkpoint.PartReceipt;
import dev.cairn.checkpoint.PartWriter;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.StorageRegistry;
import dev.cairn.storage.tck.faults.FaultInjectingStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of the engine-neutral checkpoint format API ({@code dev.cairn.checkpoint}) on a
 * backend: parts written by any process and committed by their owner, two attempts of one
 * partition, receipts checked at the commit, aborts, verified reads that never hand out a
 * damaged record, failures of the store reported as I/O and never as corruption, and the
 * scanner. No engine is involved: this is what a Spark job or any other engine relies on.
 *
 * <p>A backend module subclasses it like {@link CheckpointContractTest}. A backend whose files
 * another process cannot see (memory) turns {@link #sharedAcrossProcesses()} off.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class FormatContractTest {
    private static final int PARTS = 4;
    private static final int PER_PART = 500;

    private URI dir;
    private StorageRegistry registry;
    private Storage raw;

    /** The provider of the backend under test. */
    protected abstract StorageProvider provider();

    /** A fresh, empty directory on the backend for one test. */
    protected abstract URI newCheckpointDirectory() throws Exception;

    /** Options the backend needs (endpoint, credentials, …); they travel to child processes in the spec. */
    protected Map<String, String> options() {
        return Map.of();
    }

    /** Whether another process can read what this one wrote (false for {@code memory://}). */
    protected boolean sharedAcrossProcesses() {
        return true;
    }

    @BeforeEach
    void open() throws Exception {
        dir = newCheckpointDirectory();
        registry = StorageRegistry.create(CairnOptions.of(options()), List.of(provider()), getClass().getClassLoader());
        raw = registry.storageFor(dir);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    private CheckpointSpec spec(String name) {
        return CheckpointSpec.builder(CheckpointLayout.child(dir, name)).options(CairnOptions.of(options())).dataset("tck-" + name)
                .appName("tck").build();
    }

    private static List<Long> records(int partition) {
        List<Long> out = new ArrayList<>(PER_PART);
        for (int i = 0; i < PER_PART; i++) {
            out.add((long) partition * PER_PART + i);
        }
        return out;
    }

    private PartReceipt writePart(StorageRegistry storage, CheckpointSpec spec, int partition, List<?> records) {
        try (PartWriter part = PartWriter.open(storage, spec, partition)) {
            records.forEach(part::write);
            return part.commit();
        }
    }

    private List<Object> readAll(CheckpointReader reader, int partition) {
        List<Object> out = new ArrayList<>();
        try (PartIterator<Object> it = reader.openPart(registry, partition)) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    private byte[] bytesOf(URI file) throws IOException {
        try (InputStream in = raw.open(file)) {
            return in.readAllBytes();
        }
    }

    private void overwrite(URI file, byte[] data) throws IOException {
        try (StorageOutput out = raw.create(file, true)) {
            out.write(data);
            out.commit();
        }
    }

    private CheckpointReader committed(String name) {
        CheckpointWriter writer = CheckpointWriter.create(registry, spec(name));
        List<PartReceipt> receipts = new ArrayList<>();
        for (int p = 0; p < PARTS; p++) {
            receipts.add(writePart(registry, writer.spec(), p, records(p)));
        }
        writer.commit(receipts, PARTS, new HashPartitioner(PARTS), Map.of("origin", "tck"));
        return writer.reload();
    }

    // ------------------------------------------------------------------ write, commit, read

    @Test
    void partsWrittenByTasksAreCommittedLastAndReadBackVerified() throws IOException {
        CheckpointReader reader = committed("plain");
        assertEquals(PARTS, reader.numPartitions());
        assertEquals(new HashPartitioner(PARTS), reader.partitioner().orElseThrow());
        assertEquals("tck", reader.manifest().metadata().get("origin"));
        assertEquals(CheckpointManifest.FORMAT_VERSION, reader.manifest().formatVersion());
        for (int p = 0; p < PARTS; p++) {
            assertEquals(records(p), readAll(reader, p));
        }
        reader.expectPartitions(PARTS);
        assertThrows(dev.cairn.PartitionCountMismatchException.class, () -> reader.expectPartitions(PARTS + 1));
        // Another process's view: opened from the location alone.
        CheckpointReader again = CheckpointReader.open(registry, reader.location(), CairnOptions.of(options()));
        assertEquals(reader.manifest(), again.manifest());
        assertEquals(records(2), readAll(again, 2));
    }

    @Test
    void aReaderTravelsSerializedAndReadsWhereItLands() throws Exception {
        CheckpointReader reader = committed("travel");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(reader);
        }
        CheckpointReader landed;
        try (ObjectInputStream in = new ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            landed = (CheckpointReader) in.readObject();
        }
        assertEquals(records(3), readAll(landed, 3));
        assertEquals(new HashPartitioner(PARTS), landed.partitioner().orElseThrow());
    }

    @Test
    void partsWrittenBySeparateProcessesAreCommittedByTheParent() throws Exception {
        Assumptions.assumeTrue(sharedAcrossProcesses(), "the backend's files are private to one process");
        CheckpointWriter writer = CheckpointWriter.create(registry, spec("children"));
        Path work = Files.createTempDirectory("cairn-tck-children");
        Path specFile = work.resolve("spec.ser");
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(specFile))) {
            out.writeObject(writer.spec());
        }
        List<Process> children = new ArrayList<>();
        for (int p = 0; p < PARTS; p++) {
            children.add(ChildPartWriter.start(specFile, p, p * PER_PART, PER_PART, work.resolve("receipt-" + p + ".ser")));
        }
        List<PartReceipt> receipts = new ArrayList<>();
        for (int p = 0; p < PARTS; p++) {
            Process child = children.get(p);
            assertTrue(child.waitFor(2, TimeUnit.MINUTES), "child " + p + " did not finish");
            assertEquals(0, child.exitValue(), "child " + p + " failed: " + new String(child.getInputStream().readAllBytes()));
            try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(work.resolve("receipt-" + p + ".ser")))) {
                receipts.add((PartReceipt) in.readObject());
            }
        }
        writer.commit(receipts, PARTS, null, Map.of());
        CheckpointReader reader = writer.reload();
        for (int p = 0; p < PARTS; p++) {
            assertEquals(records(p), readAll(reader, p));
        }
    }

    // ------------------------------------------------------------------ two attempts, receipts

    @Test
    void twoAttemptsWithTheSameRecordsLeaveOnePartAndEqualReceipts() throws IOException {
        CheckpointWriter writer = CheckpointWriter.create(registry, spec("twice"));
        PartReceipt first = writePart(registry, writer.spec(), 0, records(0));
        PartReceipt second = writePart(registry, writer.spec(), 0, records(0));
        assertEquals(first, second);
        writer.commit(List.of(first, second), 1, null, Map.of());
        CheckpointReader reader = writer.reload();
        assertEquals(records(0), readAll(reader, 0));
        assertEquals(List.of(CheckpointManifest.FILE_NAME, "part-00000"), cairnFiles(reader.location()));
    }

    @Test
    void aLaterAttemptWithOtherRecordsGetsTheReceiptOfThePublishedPart() {
        CheckpointWriter writer = CheckpointWriter.create(registry, spec("nondeterministic"));
        PartReceipt first = writePart(registry, writer.spec(), 0, records(0));
        List<Long> other = new ArrayList<>(records(0));
        other.add(-1L); // a non-deterministic partition: the retry computes one record more
        PartReceipt second = writePart(registry, writer.spec(), 0, other);
        assertEquals(first, second, "the receipt describes the file that is there, not the attempt's own bytes");
        writer.commit(List.of(second), 1, null, Map.of());
        assertEquals(records(0), readAll(writer.reload(), 0));
    }

    @Test
    void aWriterOpenedAfterThePartWasPublishedReportsThatPart() {
        CheckpointWriter writer = CheckpointWriter.create(registry, spec("late"));
        try (PartWriter late = PartWriter.open(registry, writer.spec(), 1)) {
            PartReceipt first = writePart(registry, writer.spec(), 1, records(1));
            records(1).forEach(late::write);
            assertEquals(first, late.commit());
        }
    }

    @Test
    void theCommitNamesAMissingPartitionAndRefusesForeignOrConflictingReceipts() {
        CheckpointWriter writer = CheckpointWriter.create(registry, spec("receipts"));
        PartReceipt zero = writePart(registry, writer.spec(), 0, records(0));
        MissingPartException missing = assertThrows(MissingPartException.class, () -> writer.commit(List.of(zero), 2, null, Map.of()));
        assertEquals("part-00001", missing.file(), missing.getMessage());

        CheckpointWriter other = CheckpointWriter.create(registry, spec("receipts-other"));
        PartReceipt foreign = writePart(registry, other.spec(), 1, records(1));
        CheckpointException e = assertThrows(CheckpointException.class, () -> writer.commit(List.of(zero, foreign), 2, null, Map.of()));
        assertTrue(e.getMessage().contains("another checkpoint"), e.getMessage());

        PartReceipt forged = new PartReceipt(zero.writerId(), 0, zero.file(), zero.bytes() + 1, zero.records(), zero.crc32c());
        CheckpointException conflict = assertThrows(CheckpointException.class,
                () -> writer.commit(List.of(zero, forged), 1, null, Map.of()));
        assertTrue(conflict.getMessage().contains("two different receipts"), conflict.getMessage());
        assertFalse(exists(CheckpointLayout.child(writer.spec().location(), CheckpointManifest.FILE_NAME)), "nothing committed");
    }

    @Test
    void aCommittedLocationIsNeverWrittenOverAndAnAbortNeverRemovesIt() throws IOException {
        CheckpointReader reader = committed("once");
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointWriter.create(registry, spec("once")));
        assertEquals(CheckpointManifest.FILE_NAME, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains("committed"), e.getMessage());
        assertEquals(records(1), readAll(reader, 1));
    }

    @Test
    void anAbortRemovesThePartsAndANewWriterRemovesDebris() throws IOException {
        CheckpointWriter writer = CheckpointWriter.create(registry, spec("aborted"));
        writePart(registry, writer.spec(), 0, records(0));
        writePart(registry, writer.spec(), 1, records(1));
        writer.abort();
        assertEquals(List.of(), cairnFiles(writer.spec().location()));

        CheckpointWriter killed = CheckpointWriter.create(registry, spec("killed"));
        writePart(registry, killed.spec(), 0, records(0)); // then the process dies: debris
        CheckpointWriter next = CheckpointWriter.create(registry, spec("killed"));
        assertEquals(List.of(), cairnFiles(next.spec().location()), "the next writer starts clean");
        PartReceipt zero = writePart(registry, next.spec(), 0, records(0));
        next.commit(List.of(zero), 1, null, Map.of());
        assertEquals(records(0), readAll(next.reload(), 0));
    }

    // ------------------------------------------------------------------ damaged and unreadable data

    @Test
    void noRecordOfADamagedBlockReachesTheReader() throws IOException {
        CheckpointReader reader = committed("damaged");
        URI part = CheckpointLayout.child(reader.location(), "part-00000");
        byte[] bytes = bytesOf(part);
        bytes[20] ^= 0x01;
        overwrite(part, bytes);
        List<Object> seen = new ArrayList<>();
        CorruptPartException e = assertThrows(CorruptPartException.class, () -> {
            try (PartIterator<Object> it = reader.openPart(registry, 0)) {
                while (it.hasNext()) {
                    seen.add(it.next());
                }
            }
        });
        assertEquals(List.of(), seen, "not one record of the damaged block");
        assertEquals("part-00000", e.file(), e.getMessage());
        assertTrue(e.getMessage().contains("block 0"), e.getMessage());
        CorruptPartException verify = assertThrows(CorruptPartException.class, () -> reader.verifyPart(registry, 0));
        assertEquals("part-00000", verify.file(), verify.getMessage());
    }

    @Test
    void aStoreThatFailsWhileReadingIsReportedAsIoNeverAsCorruption() throws IOException {
        CheckpointReader reader = committed("flaky");
        FaultInjectingStorage faulty = FaultInjectingStorage.wrap(raw);
        StorageRegistry flaky = StorageRegistry.of(dir.getScheme(), faulty); // not closed: it would close the backend's storage
        {
            // A failing open is retried: one failure is absorbed.
            faulty.failOpen(1, name -> name.equals("part-00001"));
            List<Object> out = new ArrayList<>();
            try (PartIterator<Object> it = reader.openPart(flaky, 1)) {
                it.forEachRemaining(out::add);
            }
            assertEquals(records(1), out);
            // A connection reset in the middle of the part is the store's failure, not the data's.
            faulty.failReadAt(100, name -> name.equals("part-00002"));
            CheckpointIOException e = assertThrows(CheckpointIOException.class, () -> {
                try (PartIterator<Object> it = reader.openPart(flaky, 2)) {
                    it.forEachRemaining(x -> { });
                }
            });
            assertEquals("part-00002", e.file(), e.getMessage());
            assertTrue(e.getMessage().contains("could not read") && e.getMessage().contains("store failing"), e.getMessage());
            assertFalse(CorruptPartException.class.isInstance(e), "a failing store is not corruption");
            CheckpointIOException verify = assertThrows(CheckpointIOException.class, () -> reader.verifyPart(flaky, 2));
            assertTrue(verify.retryable(), verify.getMessage());
            // Opens that keep failing are I/O too.
            faulty.disarm().failOpen(1, n -> n.equals("part-00003")).failOpen(2, n -> n.equals("part-00003"))
                    .failOpen(3, n -> n.equals("part-00003"));
            CheckpointIOException open = assertThrows(CheckpointIOException.class, () -> reader.openPart(flaky, 3));
            assertInstanceOf(IOException.class, open.getCause());
        }
    }

    // ------------------------------------------------------------------ scanner

    @Test
    void theScannerTellsCommittedFromDebrisAndNeverCallsForeignFilesCairns() throws IOException {
        CheckpointReader done = committed("scan-done");
        CheckpointWriter pending = CheckpointWriter.create(registry, spec("scan-pending"));
        writePart(registry, pending.spec(), 0, records(0));
        URI stray = CheckpointLayout.child(done.location(), "part-00099");
        overwrite(stray, new byte[] {1, 2, 3});
        URI notes = CheckpointLayout.child(done.location(), "notes.txt");
        overwrite(notes, new byte[] {4});

        CheckpointScanner.Scan scan = CheckpointScanner.scan(registry, dir, CairnOptions.of(options()));
        assertEquals(List.of(done.location()), scan.committed().stream().map(CheckpointScanner.Entry::location).toList());
        assertEquals(List.of(pending.spec().location()), scan.uncommitted().stream().map(CheckpointScanner.Entry::location).toList());
        CheckpointScanner.Entry entry = scan.committed().get(0);
        assertEquals(done.manifest(), entry.manifest());
        assertEquals(List.of("part-00099"), entry.strays().stream().map(FileStatus::name).toList());
        assertEquals(List.of("notes.txt"), entry.foreign().stream().map(FileStatus::name).toList());
        // A single location scans as itself.
        CheckpointScanner.Scan one = CheckpointScanner.scan(registry, done.location(), CairnOptions.of(options()));
        assertEquals(List.of(done.location()), one.committed().stream().map(CheckpointScanner.Entry::location).toList());
    }

    @Test
    void sweepingAndDeletingNeverTouchWhatCairnDidNotWrite() throws IOException {
        CheckpointWriter pending = CheckpointWriter.create(registry, spec("sweep-pending"));
        writePart(registry, pending.spec(), 0, records(0));
        URI mine = CheckpointLayout.child(CheckpointLayout.child(pending.spec().location(), "notes"), "mine.txt");
        overwrite(mine, new byte[] {7}); // a person's directory inside the debris
        dev.cairn.checkpoint.OrphanSweeper.Report report = dev.cairn.checkpoint.OrphanSweeper.sweep(registry, dir,
                CairnOptions.of(options()), java.time.Duration.ZERO, location -> false, false);
        assertTrue(report.deleted().contains(CheckpointLayout.child(pending.spec().location(), "part-00000")), report.toString());
        assertEquals(1, bytesOf(mine).length, "the sub-directory and its file are kept");

        CheckpointReader done = committed("delete-done");
        URI notes = CheckpointLayout.child(done.location(), "notes.txt");
        overwrite(notes, new byte[] {4});
        CheckpointWriter.delete(registry, done.location());
        assertEquals(List.of(), cairnFiles(done.location()), "Cairn's files are gone, the manifest first");
        assertEquals(1, bytesOf(notes).length, "a file Cairn did not write stays");

        CheckpointWriter aborted = CheckpointWriter.create(registry, spec("abort-keeps"));
        writePart(registry, aborted.spec(), 0, records(0));
        URI readme = CheckpointLayout.child(aborted.spec().location(), "README");
        overwrite(readme, new byte[] {1, 2});
        aborted.abort();
        assertEquals(List.of(), cairnFiles(aborted.spec().location()), "the abort removes the part");
        assertEquals(2, bytesOf(readme).length, "the abort keeps a file Cairn did not write");
        CheckpointWriter.create(registry, spec("abort-keeps")); // a new writer clears its debris the same way
        assertEquals(2, bytesOf(readme).length, "preparing a write keeps a file Cairn did not write");
    }

    // ------------------------------------------------------------------ prefix spread

    private static final int SPREAD = 3;

    private CheckpointSpec spreadSpec(String name) {
        Map<String, String> options = optionsCopy();
        options.put(dev.cairn.checkpoint.CheckpointOptions.PREFIX_SPREAD, String.valueOf(SPREAD));
        return CheckpointSpec.builder(CheckpointLayout.child(dir, name)).options(CairnOptions.of(options)).dataset("tck-" + name)
                .appName("tck").build();
    }

    private CheckpointWriter spreadParts(String name) {
        CheckpointWriter writer = CheckpointWriter.create(registry, spreadSpec(name));
        for (int p = 0; p < PARTS; p++) {
            writePart(registry, writer.spec(), p, records(p));
        }
        return writer;
    }

    /** Every file under {@code location}, by its path relative to it, sorted. */
    private List<String> tree(URI location) throws IOException {
        List<String> out = new ArrayList<>();
        for (FileStatus f : raw.list(location)) {
            if (f.directory()) {
                for (String below : tree(f.location())) {
                    out.add(f.name() + "/" + below);
                }
            } else {
                out.add(f.name());
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void aSpreadCheckpointLiesInItsSubPrefixesAndReadsBackVerified() throws IOException {
        CheckpointWriter writer = spreadParts("spread");
        List<PartReceipt> receipts = new ArrayList<>();
        for (int p = 0; p < PARTS; p++) {
            receipts.add(writePart(registry, writer.spec(), p, records(p))); // a second attempt: adopts the published part
        }
        writer.commit(receipts, PARTS, new HashPartitioner(PARTS), Map.of("origin", "tck"));
        CheckpointReader reader = writer.reload();
        assertEquals(CheckpointManifest.SPREAD_FORMAT_VERSION, reader.manifest().formatVersion());
        assertEquals(SPREAD, reader.manifest().prefixSpread());
        List<String> expected = new ArrayList<>();
        for (int p = 0; p < PARTS; p++) {
            expected.add(CheckpointLayout.partPath(p, SPREAD));
        }
        expected.add(CheckpointManifest.PARTITIONER_FILE);
        expected.add(CheckpointManifest.FILE_NAME);
        expected.sort(null);
        assertEquals(expected, tree(reader.location()).stream().filter(n -> !n.startsWith(".")).toList());
        // Another process's view, whatever spread its own options set.
        CheckpointReader again = CheckpointReader.open(registry, reader.location(), CairnOptions.of(options()));
        for (int p = 0; p < PARTS; p++) {
            assertEquals(records(p), readAll(again, p));
            again.verifyPart(registry, p);
        }
        assertEquals(new HashPartitioner(PARTS), again.partitioner().orElseThrow());

        String path = CheckpointLayout.partPath(1, SPREAD);
        URI file = CheckpointLayout.file(reader.location(), path);
        byte[] bytes = bytesOf(file);
        bytes[bytes.length / 2] ^= 0x01;
        raw.delete(file);
        overwrite(file, bytes);
        CorruptPartException e = assertThrows(CorruptPartException.class, () -> again.verifyPart(registry, 1));
        assertEquals(path, e.file());
        assertTrue(e.getMessage().contains(path), e.getMessage());
    }

    @Test
    void anUncommittedSpreadCheckpointIsDebrisTheSweepRemovesWithItsSubPrefixes() throws IOException {
        CheckpointWriter pending = spreadParts("spread-killed");
        URI location = pending.spec().location();
        CheckpointScanner.Scan scan = CheckpointScanner.scan(registry, dir, CairnOptions.of(options()));
        CheckpointScanner.Entry entry = scan.uncommitted().stream().filter(e -> e.location().equals(location)).findFirst()
                .orElseThrow(() -> new AssertionError("not found as debris: " + scan));
        assertEquals(PARTS, entry.strays().stream().filter(f -> f.name().startsWith("part-")).count(), entry.toString());
        assertTrue(entry.foreign().isEmpty(), entry.toString());

        dev.cairn.checkpoint.OrphanSweeper.Report report = dev.cairn.checkpoint.OrphanSweeper.sweep(registry, dir,
                CairnOptions.of(options()), java.time.Duration.ZERO, l -> false, false);
        assertTrue(report.deleted().contains(location), report.toString());
        assertEquals(List.of(), tree(location));
        assertFalse(names(raw.list(dir)).contains("spread-killed"), "the checkpoint's directory is gone: " + raw.list(dir));
    }

    @Test
    void abortAndDeleteRemoveASpreadCheckpointWithItsSubPrefixes() throws IOException {
        CheckpointWriter aborted = spreadParts("spread-aborted");
        aborted.abort();
        assertEquals(List.of(), tree(aborted.spec().location()));
        assertFalse(names(raw.list(dir)).contains("spread-aborted"), raw.list(dir).toString());

        CheckpointWriter done = spreadParts("spread-deleted");
        List<PartReceipt> receipts = new ArrayList<>();
        for (int p = 0; p < PARTS; p++) {
            receipts.add(writePart(registry, done.spec(), p, records(p)));
        }
        done.commit(receipts, PARTS, null, Map.of());
        done.reload();
        CheckpointWriter.delete(registry, done.spec().location());
        assertEquals(List.of(), tree(done.spec().location()));
        assertFalse(names(raw.list(dir)).contains("spread-deleted"), raw.list(dir).toString());
    }

    // ------------------------------------------------------------------ helpers

    private boolean exists(URI file) {
        try {
            raw.stat(file);
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Cairn's files at {@code location}, sorted (hidden temporary files and foreign ones left out). */
    private List<String> cairnFiles(URI location) throws IOException {
        List<String> out = new ArrayList<>();
        for (FileStatus f : raw.list(location)) {
            if (!f.directory() && !f.name().startsWith(".") && CheckpointScanner.isCairnFile(f.name())) {
                out.add(f.name());
            }
        }
        out.sort(null);
        return out;
    }

    /** Options as a mutable copy, for subclasses that add some. */
    protected final Map<String, String> optionsCopy() {
        return new HashMap<>(options());
    }

    static Set<String> names(List<FileStatus> files) {
        Set<String> out = new java.util.TreeSet<>();
        files.forEach(f -> out.add(f.name()));
        return out;
    }
}
