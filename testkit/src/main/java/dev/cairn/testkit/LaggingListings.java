package dev.cairn.testkit;

import java.time.Duration;
import java.util.function.Predicate;
import org.jclouds.blobstore.BlobStore;

/**
 * A blob store whose listings leave out each new object for a while after it was written, while
 * GET and HEAD see it at once: how AWS S3 behaved before December 2020 (read-after-write for new
 * objects, eventually consistent listings), and the failure Spark's checkpoint hit. What counts as
 * a write: {@link DelayedVisibility}.
 */
public final class LaggingListings extends DelayedVisibility {
    /** Every object lags {@code delay}. */
    public LaggingListings(BlobStore delegate, Duration delay) {
        this(delegate, delay, key -> true);
    }

    /** The objects whose key (the whole name in the bucket) {@code lagging} accepts lag {@code delay}; others list at once. */
    public LaggingListings(BlobStore delegate, Duration delay, Predicate<String> lagging) {
        super(delegate, lagging, delay);
    }
}
