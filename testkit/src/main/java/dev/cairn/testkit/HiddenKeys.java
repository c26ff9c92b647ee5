package dev.cairn.testkit;

import java.time.Duration;
import java.util.function.Predicate;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.options.GetOptions;

/**
 * A blob store on which objects whose key matches a predicate stay invisible (to GET, HEAD and
 * listings) for a while after each write, and every other object shows at once: an eventually
 * consistent store that does not keep the order of writes, as S3Proxy's EventualBlobStore with its
 * single FIFO queue does. What counts as a write: {@link DelayedVisibility}.
 */
public final class HiddenKeys extends DelayedVisibility {
    /** Objects whose key {@code hidden} accepts stay invisible for {@code delay} after each write. */
    public HiddenKeys(BlobStore delegate, Predicate<String> hidden, Duration delay) {
        super(delegate, hidden, delay);
    }

    @Override
    public Blob getBlob(String container, String name) {
        return pending(container, name) ? null : super.getBlob(container, name);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        return pending(container, name) ? null : super.getBlob(container, name, options);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        return pending(container, name) ? null : super.blobMetadata(container, name);
    }

    @Override
    public boolean blobExists(String container, String name) {
        return !pending(container, name) && super.blobExists(container, name);
    }
}
