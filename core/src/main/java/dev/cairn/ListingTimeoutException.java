package dev.cairn;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The storage's listing did not show every committed part within
 * {@code cairn.checkpoint.listing.timeout}. The message names the parts still missing, how long
 * the reader waited and how many listings it made. Nothing was deleted: the parts may still
 * appear, and a later read of the checkpoint can succeed.
 */
public class ListingTimeoutException extends CheckpointException {
    private static final long serialVersionUID = 1L;
    private final List<String> missing;
    private final Duration waited;
    private final int listings;

    /**
     * @param verb     what failed, e.g. {@code reload}
     * @param dataset  the dataset as shown in messages
     * @param location the checkpoint directory
     * @param missing  names of the parts not (fully) visible at the last listing
     * @param wrongSize for parts listed at another size than the manifest gives: {@code name (expected N bytes, found M)}
     * @param waited   how long the reader polled
     * @param listings how many listings it made
     */
    public ListingTimeoutException(String verb, String dataset, URI location, List<String> missing, List<String> wrongSize,
                                   Duration waited, int listings) {
        super(verb, dataset, location, firstPart(missing),
                "expected every file in _manifest.json to be listed with its size, found " + missing.size() + " not so after "
                        + waited.toMillis() + " ms and " + listings + " listings: " + abbreviate(missing)
                        + (wrongSize.isEmpty() ? "" : "; listed at another size: " + abbreviate(wrongSize)
                                + " (a size that stays wrong is a truncated or replaced file, not a slow listing)")
                        + "; the store lists eventually: raise cairn.checkpoint.listing.timeout or read the checkpoint again later",
                null);
        this.missing = List.copyOf(missing);
        this.waited = waited;
        this.listings = listings;
    }

    private static String firstPart(List<String> missing) {
        return missing.stream().filter(n -> n.startsWith("part-")).findFirst().orElse(missing.isEmpty() ? null : missing.get(0));
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 20 ? String.valueOf(names) : names.subList(0, 20) + " and " + (names.size() - 20) + " more";
    }

    /** The part files not visible (or not at their full size) at the last listing. */
    public List<String> missingParts() {
        return missing.stream().filter(n -> n.startsWith("part-")).toList();
    }

    /** Every file not visible (or not at its full size) at the last listing: parts, and the manifest or partitioner when they lag too. */
    public List<String> missingFiles() {
        return missing;
    }

    /** How long the reader polled. */
    public Duration waited() {
        return waited;
    }

    /** How many listings it made. */
    public int listings() {
        return listings;
    }
}
