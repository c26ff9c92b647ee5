package dev.cairn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.CorruptPartException;
import dev.cairn.Dataset;
import dev.cairn.MissingPartException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageRegistry;
import dev.cairn.storage.memory.MemoryStorage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code cairn.checkpoint.prefix-spread}: parts under sub-prefixes, recorded in a format 4
 * manifest, read, verified, scanned, swept and deleted through the format API alone; a manifest's
 * part paths never leave the checkpoint directory.
 */
class PrefixSpreadTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final StorageRegistry STORAGE = StorageRegistry.of("memory", new MemoryStorage());
    private static final int PARTS = 10;

    private static URI newDir() {
        return URI.create("memory://spread/t" + COUNTER.incrementAndGet());
    }

    private static CairnOptions spread(int n) {
        return CairnOptions.of(Map.of(CheckpointOptions.PREFIX_SPREAD, String.valueOf(n)));
    }

    /** Writes {@code PARTS} parts of 100 longs each; commits unless {@code commit} is false. */
    private static CheckpointWriter write(URI location, CairnOptions options, boolean commit) {
        CheckpointWriter writer = CheckpointWriter.create(STORAGE, CheckpointSpec.builder(location).options(options)
                .dataset("spread-test").build());
        List<PartReceipt> receipts = new ArrayList<>();
        for (int p = 0; p < PARTS; p++) {
            try (PartWriter part = writer.openPart(p)) {
                for (long r = 0; r < 100; r++) {
                    part.write(p * 1000L + r);
                }
                receipts.add(part.commit());
            }
        }
        if (commit) {
            writer.commit(receipts, PARTS, null, Map.of());
        }
        return writer;
    }

    private static Storage store() {
        return STORAGE.storageFor(URI.create("memory://spread/x"));
    }

    @Test
    void partsLieInTheSubPrefixesTheManifestNamesAndReadBack() {
        URI location = CheckpointLayout.child(newDir(), "dataset-1");
        CheckpointWriter writer = write(location, spread(4), true);
        CheckpointReader reader = writer.reload();

        CheckpointManifest m = reader.manifest();
        assertEquals(CheckpointManifest.SPREAD_FORMAT_VERSION, m.formatVersion());
        assertEquals(4, m.prefixSpread());
        Set<String> prefixes = new TreeSet<>();
        for (int p = 0; p < PARTS; p++) {
            String name = m.parts().get(p).name();
            assertEquals(CheckpointLayout.partPath(p, 4), name);
            assertEquals(CheckpointLayout.subPrefix(p % 4) + "/" + CheckpointManifest.partName(p), name);
            prefixes.add(name.substring(0, 2));
            if (p > 0) {
                assertFalse(name.startsWith(m.parts().get(p - 1).name().substring(0, 3)), "neighbouring parts share a prefix: " + name);
            }
        }
        assertEquals(4, prefixes.size(), prefixes.toString());
        // The checkpoint directory holds the manifest and the sub-prefixes, no part.
        Set<String> top = new TreeSet<>();
        listQuietly(location).forEach(f -> top.add(f.name() + (f.directory() ? "/" : "")));
        Set<String> expectedTop = new TreeSet<>();
        prefixes.forEach(pp -> expectedTop.add(pp + "/"));
        expectedTop.add(CheckpointManifest.FILE_NAME);
        assertEquals(expectedTop, top);

        CheckpointReader again = CheckpointReader.open(STORAGE, location, CairnOptions.empty());
        for (int p = 0; p < PARTS; p++) {
            List<Long> records = new ArrayList<>();
            try (PartIterator<Long> it = again.openPart(STORAGE, p)) {
                it.forEachRemaining(records::add);
            }
            assertEquals(longsFrom(p * 1000L), records);
            again.verifyPart(STORAGE, p);
        }
    }

    @Test
    void withoutTheOptionTheLayoutAndFormatStayAsTheyWere() throws Exception {
        URI location = CheckpointLayout.child(newDir(), "dataset-1");
        CheckpointReader reader = write(location, CairnOptions.empty(), true).reload();
        assertEquals(3, reader.manifest().formatVersion());
        assertEquals(0, reader.manifest().prefixSpread());
        assertEquals(CheckpointManifest.partName(7), reader.manifest().parts().get(7).name());
        String json = new String(readAll(CheckpointLayout.child(location, CheckpointManifest.FILE_NAME)), StandardCharsets.UTF_8);
        assertFalse(json.contains("prefixSpread"), json);
        assertTrue(listQuietly(location).stream().noneMatch(FileStatus::directory));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "257", "4k", ""})
    void aBadSpreadFailsAtBuildNamingKeyValueAndRange(String value) {
        CairnException e = assertThrows(CairnException.class, () -> CairnContext.builder()
                .option(CheckpointOptions.PREFIX_SPREAD, value).build().close());
        assertTrue(e.getMessage().contains(CheckpointOptions.PREFIX_SPREAD), e.getMessage());
        assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("0 (no spread, the default) to 256"), e.getMessage());
    }

    @Test
    void theEngineWritesSpreadCheckpointsWhenTheContextAsks() {
        URI dir = newDir();
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(dir)
                .option(CheckpointOptions.PREFIX_SPREAD, "3").build()) {
            Dataset<Long> ds = ctx.range(0, 1000, 6).map(x -> x * 2).checkpoint(dev.cairn.CheckpointMode.EAGER);
            URI location = ds.checkpointLocation().orElseThrow();
            CheckpointManifest m = CheckpointReader.open(STORAGE, location, CairnOptions.empty()).manifest();
            assertEquals(3, m.prefixSpread());
            assertEquals(CheckpointLayout.partPath(5, 3), m.parts().get(5).name());
            assertEquals(999_000L, ds.reduce(Long::sum));
            assertEquals(999_000L, ctx.<Long>readCheckpoint(location).reduce(Long::sum));
        }
    }

    @Test
    void aDamagedOrMissingPartIsNamedByItsPathUnderTheCheckpoint() throws Exception {
        URI location = CheckpointLayout.child(newDir(), "dataset-1");
        CheckpointManifest m = write(location, spread(4), true).reload().manifest();
        String third = m.parts().get(3).name();
        URI file = CheckpointLayout.file(location, third);
        byte[] bytes = readAll(file);
        bytes[bytes.length / 2] ^= 0x40;
        overwrite(file, bytes);
        CheckpointReader reader = CheckpointReader.open(STORAGE, location, CairnOptions.empty());
        CorruptPartException corrupt = assertThrows(CorruptPartException.class, () -> reader.verifyPart(STORAGE, 3));
        assertEquals(third, corrupt.file());
        assertTrue(corrupt.getMessage().contains(third), corrupt.getMessage());

        String fifth = m.parts().get(5).name();
        store().delete(CheckpointLayout.file(location, fifth));
        MissingPartException missing = assertThrows(MissingPartException.class,
                () -> CheckpointReader.open(STORAGE, location, CairnOptions.empty()));
        assertEquals(fifth, missing.file());
        assertTrue(missing.getMessage().contains(fifth), missing.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../part-00000", "/part-00000", "a5/../part-00000", "A5/part-00000", "a5/b7/part-00000", "a5/part-00001",
        "a5//part-00000", "a5/part-00000/..", "./part-00000", "a5\\\\part-00000", "zz/part-00000"})
    void aPartPathOtherThanTheLayoutsIsRefusedWhenTheManifestIsParsed(String path) {
        String json = manifestJson(4, 1, path);
        CheckpointManifest.FormatException e = assertThrows(CheckpointManifest.FormatException.class,
                () -> CheckpointManifest.parse(json.getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("expected part 0 at <two hex digits>/part-00000"), e.getMessage());
        assertFalse(e.newerVersion());
    }

    @Test
    void aSpreadNeedsFormatFourAndABoundedCount() throws Exception {
        assertEquals("a5/part-00000", CheckpointManifest.parse(manifestJson(4, 1, "a5/part-00000").getBytes(StandardCharsets.UTF_8))
                .parts().get(0).name());
        for (String bad : List.of(manifestJson(3, 1, "a5/part-00000"), manifestJson(4, 257, "a5/part-00000"),
                manifestJson(4, -1, "a5/part-00000"), manifestJson(3, 0, "a5/part-00000"))) {
            assertThrows(CheckpointManifest.FormatException.class, () -> CheckpointManifest.parse(bad.getBytes(StandardCharsets.UTF_8)),
                    bad);
        }
        CheckpointManifest.FormatException newer = assertThrows(CheckpointManifest.FormatException.class,
                () -> CheckpointManifest.parse(manifestJson(5, 1, "a5/part-00000").getBytes(StandardCharsets.UTF_8)));
        assertTrue(newer.newerVersion());
    }

    @Test
    void pathsOutsideTheLayoutNeverResolve() {
        URI dir = URI.create("memory://spread/ctx/dataset-1");
        assertEquals(URI.create("memory://spread/ctx/dataset-1/a5/part-00000"), CheckpointLayout.file(dir, "a5/part-00000"));
        for (String bad : List.of("..", "../x", "a/../../x", "/x", "a//x", "./x", "x/")) {
            assertThrows(IllegalArgumentException.class, () -> CheckpointLayout.file(dir, bad), bad);
        }
    }

    @Test
    void subPrefixesOfSlotsAreDistinctTwoHexDigits() {
        Set<String> seen = new HashSet<>();
        for (int slot = 0; slot < CheckpointLayout.MAX_PREFIX_SPREAD; slot++) {
            String pp = CheckpointLayout.subPrefix(slot);
            assertTrue(CheckpointLayout.isSubPrefix(pp), pp);
            assertTrue(seen.add(pp), "slot " + slot + " repeats " + pp);
        }
    }

    @Test
    void anUncommittedSpreadCheckpointIsDebrisAndIsRemovedWhole() throws IOException {
        URI dir = newDir();
        URI pending = CheckpointLayout.child(CheckpointLayout.child(dir, "ctx"), "dataset-2");
        write(pending, spread(4), false);
        // Written where no dataset-<id> name tells: only sub-directories at its top.
        URI sparkStyle = CheckpointLayout.child(dir, "my-checkpoint");
        write(sparkStyle, spread(4), false);
        URI committed = CheckpointLayout.child(CheckpointLayout.child(dir, "ctx"), "dataset-1");
        write(committed, spread(4), true);

        CheckpointScanner.Scan scan = CheckpointScanner.scan(STORAGE, dir, CairnOptions.empty());
        assertEquals(List.of(committed), scan.committed().stream().map(CheckpointScanner.Entry::location).toList());
        assertEquals(Set.of(pending, sparkStyle), Set.copyOf(scan.uncommitted().stream().map(CheckpointScanner.Entry::location).toList()));
        CheckpointScanner.Entry debris = scan.uncommitted().get(0);
        assertEquals(PARTS, debris.strays().size(), debris.toString());
        assertTrue(debris.foreign().isEmpty(), debris.toString());
        Set<String> paths = new TreeSet<>();
        debris.strays().forEach(f -> paths.add(debris.pathOf(f)));
        assertEquals(new TreeSet<>(IntStream.range(0, PARTS).mapToObj(p -> CheckpointLayout.partPath(p, 4)).toList()), paths);
        CheckpointScanner.Entry done = scan.committed().get(0);
        assertEquals(List.of(), done.strays());
        assertEquals(List.of(), done.foreign());
        assertEquals(PARTS + 1, done.files().size());

        OrphanSweeper.Report report = OrphanSweeper.sweep(STORAGE, dir, CairnOptions.empty(), Duration.ZERO, l -> false, false);
        assertEquals(Set.of(pending, sparkStyle), Set.copyOf(report.deleted()));
        assertEquals(List.of(), listQuietly(pending));
        assertEquals(List.of(), listQuietly(sparkStyle));

        // A stray part inside a sub-prefix of a committed checkpoint is found and removed; the checkpoint still reads.
        String pp = CheckpointLayout.subPrefix(0);
        URI stray = CheckpointLayout.file(committed, pp + "/part-00099");
        overwrite(stray, new byte[] {1, 2, 3});
        OrphanSweeper.Report second = OrphanSweeper.sweep(STORAGE, dir, CairnOptions.empty(), Duration.ZERO, l -> false, false);
        assertEquals(List.of(stray), second.deleted());
        CheckpointReader.open(STORAGE, committed, CairnOptions.empty());

        CheckpointWriter.delete(STORAGE, committed);
        assertEquals(List.of(), listQuietly(committed));
    }

    @Test
    void abortAndRewriteRemoveEarlierPartsInSubPrefixesAndKeepForeignFiles() throws Exception {
        URI location = CheckpointLayout.child(newDir(), "dataset-3");
        CheckpointWriter first = write(location, spread(2), false);
        URI notes = CheckpointLayout.file(location, CheckpointLayout.subPrefix(1) + "/notes.txt");
        overwrite(notes, "mine".getBytes(StandardCharsets.UTF_8));
        first.abort();
        List<String> left = new ArrayList<>();
        collect(location, location, left);
        assertEquals(List.of(CheckpointLayout.subPrefix(1) + "/notes.txt"), left);

        store().delete(notes);
        write(location, spread(2), false);
        write(location, spread(5), true).reload(); // a new writer removes the debris of the last, whatever its spread
        left.clear();
        collect(location, location, left);
        assertEquals(PARTS + 1, left.size(), left.toString());
        assertTrue(left.stream().allMatch(n -> n.equals(CheckpointManifest.FILE_NAME) || CheckpointLayout.isSubPrefix(n.substring(0, 2))),
                left.toString());
    }

    @Test
    void anEventualListingIsPolledOnlyInTheSubPrefixesStillMissingParts() {
        Map<String, Long> expected = new java.util.LinkedHashMap<>();
        for (int p = 0; p < 40; p++) {
            expected.put(CheckpointLayout.partPath(p, 4), 100L + p);
        }
        expected.put(CheckpointManifest.FILE_NAME, -1L);
        String late = CheckpointLayout.partPath(6, 4); // slot 2
        SpreadDirectory store = new SpreadDirectory(expected, Set.of(late), 2);
        ListingWaiter waiter = new ListingWaiter(Duration.ofSeconds(30), Duration.ofMillis(1), Duration.ofMillis(2));

        ListingWaiter.Result result = waiter.await(store, SpreadDirectory.DIR, expected, Set.of(CheckpointManifest.FILE_NAME), "ds", "reload");

        assertEquals(3, result.listings());
        List<String> first = new ArrayList<>();
        first.add("list  -> 1");
        new TreeSet<>(IntStream.range(0, 4).mapToObj(CheckpointLayout::subPrefix).toList())
                .forEach(pp -> first.add("list " + pp + " -> " + (pp.equals(late.substring(0, 2)) ? 9 : 10)));
        String slot2 = late.substring(0, 2);
        List<String> calls = new ArrayList<>(first);
        calls.add("range " + slot2 + " after part-00002 through part-00006 -> 0");
        calls.add("range " + slot2 + " after part-00002 through part-00006 -> 1");
        assertEquals(calls, store.calls);
    }

    /** A spread checkpoint directory on an eventual store: {@code late} files are missing from the first listings. */
    private static final class SpreadDirectory implements Storage {
        static final URI DIR = URI.create("memory://spread-late/ctx/dataset-1");
        private final Map<String, Long> files;
        private final Set<String> late;
        private final int lateCalls;
        final List<String> calls = new ArrayList<>();

        SpreadDirectory(Map<String, Long> files, Set<String> late, int lateListings) {
            this.files = new java.util.TreeMap<>(files);
            this.files.replaceAll((k, v) -> v < 0 ? 42L : v);
            this.late = late;
            this.lateCalls = lateListings;
        }

        @Override
        public dev.cairn.storage.ListingConsistency listing() {
            return dev.cairn.storage.ListingConsistency.EVENTUAL;
        }

        private List<FileStatus> children(URI directory, String startAfter, String through) {
            String rel = directory.equals(DIR) ? "" : CheckpointLayout.relativePath(DIR, directory);
            List<FileStatus> out = new ArrayList<>();
            Set<String> dirs = new TreeSet<>();
            boolean lateVisible = calls.size() >= 5 + lateCalls - 1; // first poll: 5 listings; then one range per poll
            files.forEach((path, size) -> {
                int slash = path.indexOf('/');
                String parent = slash < 0 ? "" : path.substring(0, slash);
                String leaf = path.substring(slash + 1);
                if (rel.isEmpty() && slash > 0) {
                    dirs.add(parent);
                } else if (parent.equals(rel) && (lateVisible || !late.contains(path))
                        && (startAfter == null || leaf.compareTo(startAfter) > 0) && (through == null || leaf.compareTo(through) <= 0)) {
                    out.add(new FileStatus(CheckpointLayout.file(DIR, path), size, false, java.time.Instant.EPOCH));
                }
            });
            dirs.forEach(d -> out.add(new FileStatus(CheckpointLayout.child(DIR, d), 0, true, java.time.Instant.EPOCH)));
            return out;
        }

        @Override
        public List<FileStatus> list(URI directory) {
            List<FileStatus> out = children(directory, null, null);
            calls.add("list " + (directory.equals(DIR) ? "" : CheckpointLayout.relativePath(DIR, directory)) + " -> "
                    + out.stream().filter(f -> !f.directory()).count());
            return out;
        }

        @Override
        public List<FileStatus> listRange(URI directory, String startAfter, String through) {
            List<FileStatus> out = children(directory, startAfter, through);
            calls.add("range " + CheckpointLayout.relativePath(DIR, directory) + " after " + startAfter + " through " + through + " -> "
                    + out.size());
            return out;
        }

        @Override
        public InputStream open(URI file) throws IOException {
            throw new IOException("not read here");
        }

        @Override
        public StorageOutput create(URI file, boolean overwrite) throws IOException {
            throw new IOException("not written here");
        }

        @Override
        public FileStatus stat(URI file) throws IOException {
            throw new IOException("not asked here");
        }

        @Override
        public void delete(URI fileOrDirectory) throws IOException {
            throw new IOException("not deleted here");
        }
    }

    private static void collect(URI base, URI dir, List<String> out) throws IOException {
        for (FileStatus f : store().list(dir)) {
            if (f.directory()) {
                collect(base, f.location(), out);
            } else {
                out.add(CheckpointLayout.relativePath(base, f.location()));
            }
        }
    }

    private static String manifestJson(int version, int spread, String path) {
        return "{\"formatVersion\": " + version + ", \"datasetId\": 1, \"numPartitions\": 1, \"serializer\": \"kryo\","
                + " \"compression\": \"none\", \"createdAt\": \"2026-12-02T00:00:00Z\", \"blockSize\": 65536,"
                + (spread != 0 ? " \"prefixSpread\": " + spread + "," : "")
                + " \"parts\": [{\"name\": \"" + path + "\", \"bytes\": 1, \"records\": 1, \"crc32c\": 1}]}";
    }

    private static List<Long> longsFrom(long first) {
        List<Long> out = new ArrayList<>();
        for (long r = 0; r < 100; r++) {
            out.add(first + r);
        }
        return out;
    }

    private static List<FileStatus> listQuietly(URI dir) {
        try {
            return store().list(dir);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] readAll(URI file) throws IOException {
        try (InputStream in = store().open(file)) {
            return in.readAllBytes();
        }
    }

    private static void overwrite(URI file, byte[] data) throws IOException {
        try (StorageOutput out = store().create(file, true)) {
            out.write(data);
            out.commit();
        }
        assertArrayEquals(data, readAll(file));
    }
}
