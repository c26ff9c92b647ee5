package dev.cairn.storage.s3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * A blob store on which objects whose key matches a predicate stay invisible (to GET, HEAD and
 * listings) for a while after each write, and every other object shows at once: an eventually
 * consistent store that does not keep the order of writes, as S3Proxy's EventualBlobStore with its single FIFO
 * queue does.
 */
final class HiddenKeys extends ForwardingBlobStore {
    private final Predicate<String> hidden;
    private final long delayNanos;
    private final Map<String, Long> visibleAt = new ConcurrentHashMap<>();

    HiddenKeys(BlobStore delegate, Predicate<String> hidden, Duration delay) {
        super(delegate);
        this.hidden = hidden;
        this.delayNanos = delay.toNanos();
    }

    private boolean invisible(String container, String name) {
        Long at = visibleAt.get(container + "/" + name);
        return at != null && at - System.nanoTime() > 0;
    }

    private void written(String container, String name) {
        if (hidden.test(name)) {
            visibleAt.put(container + "/" + name, System.nanoTime() + delayNanos);
        }
    }

    @Override
    public String putBlob(String container, Blob blob) {
        written(container, blob.getMetadata().getName());
        return super.putBlob(container, blob);
    }

    @Override
    public String putBlob(String container, Blob blob, PutOptions options) {
        written(container, blob.getMetadata().getName());
        return super.putBlob(container, blob, options);
    }

    @Override
    public Blob getBlob(String container, String name) {
        return invisible(container, name) ? null : super.getBlob(container, name);
    }

    @Override
    public Blob getBlob(String container, String name, GetOptions options) {
        return invisible(container, name) ? null : super.getBlob(container, name, options);
    }

    @Override
    public BlobMetadata blobMetadata(String container, String name) {
        return invisible(container, name) ? null : super.blobMetadata(container, name);
    }

    @Override
    public boolean blobExists(String container, String name) {
        return !invisible(container, name) && super.blobExists(container, name);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        PageSet<? extends StorageMetadata> page = super.list(container, options);
        List<StorageMetadata> shown = new ArrayList<>();
        for (StorageMetadata m : page) {
            if (m.getType() != StorageType.BLOB || !invisible(container, m.getName())) {
                shown.add(m);
            }
        }
        return new PageSetImpl<>(shown, page.getNextMarker());
    }
}
