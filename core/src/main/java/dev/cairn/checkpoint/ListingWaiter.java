package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.CheckpointIOException;
import dev.cairn.CorruptPartException;
import dev.cairn.ListingTimeoutException;
import dev.cairn.MissingPartException;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until a directory's listing shows every file a manifest names, each with its size.
 *
 * <p>On a store whose listings are {@link ListingConsistency#STRONG strong}, one listing decides:
 * a missing file is a {@link MissingPartException}, a file of the wrong size a
 * {@link CorruptPartException}. On an {@link ListingConsistency#EVENTUAL eventual} store, missing
 * or short entries may only be late, so it lists again after a delay that starts at
 * {@code initialDelay} and doubles up to {@code maxDelay}, until all are there or
 * {@code timeout} has passed; then it throws a {@link ListingTimeoutException} naming the files
 * still missing, the time waited and the number of listings. This is the check that Spark's
 * reliable checkpoint lacked on S3: it listed once and failed with "different number of
 * partitions" whenever the listing lagged.
 *
 * <p>Requests: the first listing is the whole directory (on S3, one request per 1,000 keys: 11
 * for 10,000 parts and the manifest). A file listed once at its size stays counted, and every
 * later listing covers only the stretches where files were still missing
 * ({@link Storage#listRange}), so a poll for the last parts of a large checkpoint costs a request
 * or two, not the whole directory again.
 *
 * <p>A spread checkpoint ({@link CheckpointManifest#prefixSpread()}) names its parts by paths such
 * as {@code 3c/part-00003}: each sub-prefix is listed on its own (a store lists direct children
 * only), the first poll lists every sub-prefix and the directory itself where it expects files
 * there, and later polls list, in each sub-prefix still missing parts, only the stretches where
 * they are missing. A poll makes at most one listing per sub-prefix and range, so at most
 * {@link CheckpointLayout#MAX_PREFIX_SPREAD} + 1 listings of up to 1,000 keys for a checkpoint of
 * 256,000 parts.
 *
 * <p>A size that is wrong and stays the same over several listings for {@link #STABLE_WRONG_SIZE}
 * is not a slow listing (Cairn never overwrites a part, so there is no older version to lag
 * behind): the wait fails at once with a {@link CorruptPartException} that says so, instead of
 * waiting out the timeout.
 *
 * <p>Thread-safe; holds no state between calls.
 */
final class ListingWaiter {
    /** How long a wrong listed size must stay the same before it is judged not to be a lag. */
    static final Duration STABLE_WRONG_SIZE = Duration.ofSeconds(2);
    private static final int STABLE_LISTINGS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(ListingWaiter.class);

    private final Duration timeout;
    private final Duration initialDelay;
    private final Duration maxDelay;

    /** What a wait found. */
    record Result(int listings, Duration waited, List<String> unexpected) {
    }

    /**
     * @param timeout      how long to keep listing on an eventual store
     * @param initialDelay delay before the second listing
     * @param maxDelay     the longest delay between two listings
     */
    ListingWaiter(Duration timeout, Duration initialDelay, Duration maxDelay) {
        if (timeout.isNegative() || initialDelay.isNegative() || initialDelay.isZero() || maxDelay.compareTo(initialDelay) < 0) {
            throw new CairnException("Cannot configure listing waits (expected timeout >= 0 and 0 < initial delay <= max delay, found timeout "
                    + timeout + ", initial delay " + initialDelay + ", max delay " + maxDelay + ")");
        }
        this.timeout = timeout;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
    }

    /** The first delay. */
    Duration initialDelay() {
        return initialDelay;
    }

    /** The longest delay. */
    Duration maxDelay() {
        return maxDelay;
    }

    /** The timeout. */
    Duration timeout() {
        return timeout;
    }

    /**
     * Lists {@code directory} until every entry of {@code expected} (file name to size) is
     * visible with that size.
     *
     * @param storage   the store
     * @param directory the checkpoint directory
     * @param expected  file name to byte length ({@code -1}: any length, presence is enough)
     * @param ignored   names that may be present and are not reported as unexpected
     * @param dataset   the dataset, for messages
     * @param verb      what is being done, for messages (e.g. {@code reload})
     * @return the number of listings made, the time waited, and the names of files the listing
     *         shows that {@code expected} does not (debris: reported, never read)
     */
    Result await(Storage storage, URI directory, Map<String, Long> expected, Set<String> ignored, String dataset, String verb) {
        boolean eventual = storage.listing() == ListingConsistency.EVENTUAL;
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        long delayNanos = initialDelay.toNanos();
        int listings = 0;
        long requests = 0;
        Map<String, Long> lastWrongSize = new HashMap<>();
        Map<String, long[]> wrongSince = new HashMap<>(); // name -> {first nanos it was seen at this size, listings}
        // Expected names by the directory they are in: "" for the checkpoint directory, "3c" for a sub-prefix of a spread
        // checkpoint; each group is listed on its own, and only while it still misses files.
        TreeMap<String, List<String>> groups = new TreeMap<>();
        for (String name : expected.keySet()) {
            int slash = name.lastIndexOf('/');
            groups.computeIfAbsent(slash < 0 ? "" : name.substring(0, slash), g -> new ArrayList<>()).add(slash < 0 ? name : name.substring(slash + 1));
        }
        groups.values().forEach(names -> names.sort(null));
        if (groups.isEmpty()) {
            groups.put("", new ArrayList<>()); // nothing expected: one listing still reports debris
        }
        Map<String, Long> confirmed = new HashMap<>(); // listed at the expected size by an earlier listing
        TreeSet<String> unexpectedSeen = new TreeSet<>();
        Map<String, List<String[]>> ranges = null; // null: list every group whole
        while (true) {
            List<FileStatus> listing = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (Map.Entry<String, List<String>> g : groups.entrySet()) {
                URI dir = g.getKey().isEmpty() ? directory : CheckpointLayout.file(directory, g.getKey());
                List<FileStatus> part;
                if (ranges == null) {
                    part = list(storage, dir, dataset, verb);
                    requests++;
                } else {
                    List<String[]> r = ranges.get(g.getKey());
                    if (r == null || r.isEmpty()) {
                        continue;
                    }
                    part = listRanges(storage, dir, r, dataset, verb);
                    requests += r.size();
                }
                for (FileStatus f : part) {
                    listing.add(f);
                    keys.add(g.getKey().isEmpty() ? f.name() : g.getKey() + "/" + f.name());
                }
            }
            listings++;
            // A file once listed at its size stays counted: later polls list only where files were missing.
            Map<String, Long> seen = new HashMap<>(confirmed);
            for (int i = 0; i < listing.size(); i++) {
                FileStatus f = listing.get(i);
                String name = keys.get(i);
                if (f.directory()) {
                    continue;
                }
                if (expected.containsKey(name)) {
                    seen.put(name, f.length());
                } else if (!ignored.contains(name)) {
                    unexpectedSeen.add(name);
                }
            }
            List<String> unexpected = new ArrayList<>(unexpectedSeen);
            // Parts first: they are what a reader needs and what messages should lead with.
            TreeSet<String> missing = new TreeSet<>(java.util.Comparator.comparing((String n) -> n.startsWith("_"))
                    .thenComparing(java.util.Comparator.naturalOrder()));
            List<String> wrongSize = new ArrayList<>();
            for (Map.Entry<String, Long> e : expected.entrySet()) {
                Long size = seen.get(e.getKey());
                if (size == null) {
                    missing.add(e.getKey());
                } else if (e.getValue() >= 0 && size.longValue() != e.getValue()) {
                    missing.add(e.getKey());
                    wrongSize.add(e.getKey() + " (expected " + e.getValue() + " bytes, found " + size + " bytes)");
                }
            }
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            if (eventual) {
                failOnStableWrongSizes(expected, seen, lastWrongSize, wrongSince, directory, dataset, verb);
            }
            if (missing.isEmpty()) {
                if (listings > 1) {
                    LOG.info("Listing of {} showed all {} expected files after {} listings ({} list requests) and {} ms", directory,
                            expected.size(), listings, requests, waited.toMillis());
                }
                return new Result(listings, waited, unexpected);
            }
            if (!eventual) {
                if (!wrongSize.isEmpty() && wrongSize.size() == missing.size()) {
                    throw new CorruptPartException(verb, dataset, directory, wrongSize.get(0).split(" ")[0],
                            "expected every part at the length _manifest.json gives, found " + wrongSize, null);
                }
                boolean manifestExpected = expected.containsKey(CheckpointManifest.FILE_NAME);
                boolean manifestMissing = missing.remove(CheckpointManifest.FILE_NAME);
                int listedInManifest = expected.size() - (manifestExpected ? 1 : 0);
                throw new MissingPartException(verb, dataset, directory, missing.isEmpty() ? CheckpointManifest.FILE_NAME : missing.first(),
                        "expected " + listedInManifest + " files listed in _manifest.json, found " + (listedInManifest - missing.size())
                                + (missing.isEmpty() ? "" : "; missing: " + missing)
                                + (manifestMissing ? "; _manifest.json itself is not listed" : "")
                                + (wrongSize.isEmpty() ? "" : "; wrong size: " + wrongSize), null);
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                throw new ListingTimeoutException(verb, dataset, directory, new ArrayList<>(missing), wrongSize, waited, listings);
            }
            long sleep = Math.min(delayNanos, deadline - now);
            LOG.debug("Listing {} of {} ({} list requests so far): {} of {} files not visible yet, next listing in {} ms", listings,
                    directory, requests, missing.size(), expected.size(), sleep / 1_000_000);
            try {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CairnException("Cannot " + verb + " checkpoint of dataset " + dataset + ": " + directory
                        + " (interrupted while waiting for a consistent listing)", e);
            }
            delayNanos = Math.min(delayNanos * 2, maxDelay.toNanos());
            for (Map.Entry<String, Long> e : seen.entrySet()) {
                long want = expected.get(e.getKey());
                if (want < 0 || want == e.getValue()) {
                    confirmed.put(e.getKey(), e.getValue());
                } else {
                    confirmed.remove(e.getKey()); // listed again at another size: judged again
                }
            }
            ranges = new HashMap<>();
            for (Map.Entry<String, List<String>> g : groups.entrySet()) {
                String prefix = g.getKey().isEmpty() ? "" : g.getKey() + "/";
                Map<String, Long> confirmedHere = new HashMap<>();
                for (String leaf : g.getValue()) {
                    Long size = confirmed.get(prefix + leaf);
                    if (size != null) {
                        confirmedHere.put(leaf, size);
                    }
                }
                ranges.put(g.getKey(), missingRanges(g.getValue(), confirmedHere));
            }
        }
    }

    /** Names apart by more than this many expected files are listed again in separate ranges (S3 lists 1,000 keys a page). */
    static final int RANGE_GAP = 1000;

    /**
     * The stretches of the directory to list again: runs of not yet confirmed names in sorted
     * order, each as {start-after (null: from the first), through}, a run ending where the next
     * missing name is more than {@link #RANGE_GAP} names further on.
     */
    static List<String[]> missingRanges(List<String> order, Map<String, Long> confirmed) {
        List<String[]> ranges = new ArrayList<>();
        int first = -1;
        int last = -1;
        for (int i = 0; i < order.size(); i++) {
            if (confirmed.containsKey(order.get(i))) {
                continue;
            }
            if (first >= 0 && i - last > RANGE_GAP) {
                ranges.add(new String[] {first == 0 ? null : order.get(first - 1), order.get(last)});
                first = -1;
            }
            if (first < 0) {
                first = i;
            }
            last = i;
        }
        if (first >= 0) {
            ranges.add(new String[] {first == 0 ? null : order.get(first - 1), order.get(last)});
        }
        return ranges;
    }

    private static List<FileStatus> listRanges(Storage storage, URI directory, List<String[]> ranges, String dataset, String verb) {
        List<FileStatus> out = new ArrayList<>();
        for (String[] r : ranges) {
            IOException last = null;
            boolean done = false;
            for (int attempt = 0; attempt < Retries.ATTEMPTS && !done; attempt++) {
                try {
                    out.addAll(storage.listRange(directory, r[0], r[1]));
                    done = true;
                } catch (IOException e) {
                    last = e;
                    Retries.pause(attempt, dataset, directory, verb);
                }
            }
            if (!done) {
                throw new CheckpointIOException(verb, dataset, directory, null, "expected to list the checkpoint directory from "
                        + (r[0] == null ? "its first file" : "after " + r[0]) + " through " + r[1] + ", found an error "
                        + Retries.ATTEMPTS + " times: " + last, last);
            }
        }
        return out;
    }

    /** Lists once, retrying a failing listing a few times: a listing error is the store's, never the data's. */
    static List<FileStatus> list(Storage storage, URI directory, String dataset, String verb) {
        IOException last = null;
        for (int attempt = 0; attempt < Retries.ATTEMPTS; attempt++) {
            try {
                return storage.list(directory);
            } catch (IOException e) {
                last = e;
                Retries.pause(attempt, dataset, directory, verb);
            }
        }
        throw new CheckpointIOException(verb, dataset, directory, null, "expected to list the checkpoint directory, found an error "
                + Retries.ATTEMPTS + " times: " + last, last);
    }

    private static void failOnStableWrongSizes(Map<String, Long> expected, Map<String, Long> seen, Map<String, Long> lastWrongSize,
                                               Map<String, long[]> wrongSince, URI directory, String dataset, String verb) {
        long now = System.nanoTime();
        List<String> stable = new ArrayList<>();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            Long size = seen.get(e.getKey());
            if (size == null || e.getValue() < 0 || size.longValue() == e.getValue()) {
                lastWrongSize.remove(e.getKey());
                wrongSince.remove(e.getKey());
                continue;
            }
            Long previous = lastWrongSize.put(e.getKey(), size);
            long[] since = wrongSince.get(e.getKey());
            if (previous == null || previous.longValue() != size.longValue() || since == null) {
                wrongSince.put(e.getKey(), new long[] {now, 1});
                continue;
            }
            since[1]++;
            if (since[1] >= STABLE_LISTINGS && now - since[0] >= STABLE_WRONG_SIZE.toNanos()) {
                stable.add(e.getKey() + " (expected " + e.getValue() + " bytes, found " + size + " bytes in " + since[1]
                        + " listings over " + (now - since[0]) / 1_000_000 + " ms)");
            }
        }
        if (!stable.isEmpty()) {
            throw new CorruptPartException(verb, dataset, directory, stable.get(0).split(" ")[0],
                    "expected every file at the length _manifest.json gives, found " + stable + "; a size that stays wrong is not a"
                            + " slow listing: the store or a proxy in front of it altered the bytes (for instance stored an"
                            + " aws-chunked upload's framing as data: check the store's chunked-encoding and checksum options,"
                            + " e.g. cairn.s3.chunked-encoding), or the file was replaced", null);
        }
    }
}
