package dev.cairn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * On an eventually consistent store the waiter lists a large directory whole once, then only the
 * stretches where files were still missing: the poll for a late manifest and the last two of
 * 3,000 parts asks for two short ranges, not for the 3,001 names again.
 */
class ListingWaiterRangeTest {
    private static final URI DIR = URI.create("memory://ranges/ctx/dataset-1");

    @Test
    void pollsAfterTheFirstListOnlyWhereFilesWereMissing() {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (int i = 0; i < 3000; i++) {
            expected.put(CheckpointManifest.partName(i), 100L + i);
        }
        expected.put(CheckpointManifest.FILE_NAME, -1L);
        LateDirectory store = new LateDirectory(expected, Set.of(CheckpointManifest.FILE_NAME, "part-02998", "part-02999"), 2);
        ListingWaiter waiter = new ListingWaiter(Duration.ofSeconds(30), Duration.ofMillis(1), Duration.ofMillis(2));

        ListingWaiter.Result result = waiter.await(store, DIR, expected, Set.of(CheckpointManifest.FILE_NAME), "ds", "reload");

        assertEquals(3, result.listings());
        assertEquals(List.of(
                "all -> 2998 names",
                "after null through _manifest.json -> 0 names", "after part-02997 through part-02999 -> 0 names",
                "after null through _manifest.json -> 1 names", "after part-02997 through part-02999 -> 2 names"),
                store.calls);
        assertEquals(List.of(), result.unexpected());
    }

    @Test
    void missingNamesCloseTogetherAreOneRangeAndFarApartTwo() {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            order.add(CheckpointManifest.partName(i));
        }
        Map<String, Long> confirmed = new LinkedHashMap<>();
        order.forEach(n -> confirmed.put(n, 1L));
        for (String n : List.of("part-00000", "part-00500", "part-04000", "part-04999")) {
            confirmed.remove(n);
        }

        List<String[]> ranges = ListingWaiter.missingRanges(order, confirmed);

        assertEquals(List.of("[null, part-00500]", "[part-03999, part-04999]"), ranges.stream().map(Arrays::toString).toList());
    }

    /** A directory whose late files are missing from the first {@code lateListings} listings; records every listing asked for. */
    private static final class LateDirectory implements Storage {
        private final Map<String, Long> files;
        private final Set<String> late;
        private final int lateListings;
        private int listingsMade;
        final List<String> calls = new ArrayList<>();
        private int pollCallsLeft;

        LateDirectory(Map<String, Long> files, Set<String> late, int lateListings) {
            this.files = new LinkedHashMap<>(files);
            this.files.replaceAll((k, v) -> v < 0 ? 42L : v);
            this.late = late;
            this.lateListings = lateListings;
        }

        @Override
        public ListingConsistency listing() {
            return ListingConsistency.EVENTUAL;
        }

        private List<FileStatus> visible(String startAfter, String through) {
            List<FileStatus> out = new ArrayList<>();
            files.forEach((name, size) -> {
                if ((listingsMade > lateListings || !late.contains(name)) && (startAfter == null || name.compareTo(startAfter) > 0)
                        && (through == null || name.compareTo(through) <= 0)) {
                    out.add(new FileStatus(CheckpointLayout.child(DIR, name), size, false, Instant.EPOCH));
                }
            });
            return out;
        }

        @Override
        public List<FileStatus> list(URI directory) {
            listingsMade++;
            List<FileStatus> out = visible(null, null);
            calls.add("all -> " + out.size() + " names");
            return out;
        }

        @Override
        public List<FileStatus> listRange(URI directory, String startAfter, String through) {
            if (pollCallsLeft == 0) {
                listingsMade++; // one poll asks for two ranges: count the poll once
                pollCallsLeft = 2;
            }
            pollCallsLeft--;
            List<FileStatus> out = visible(startAfter, through);
            calls.add("after " + startAfter + " through " + through + " -> " + out.size() + " names");
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
}
