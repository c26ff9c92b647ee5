package dev.cairn.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.CopyOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * A blob store that keeps each write of a chosen key out of its listings for a while. A write is a
 * PUT, the completion of a multipart upload, or a copy (S3A publishes a file by copying its
 * temporary object). Directory markers, and objects whose key the predicate refuses, list at once.
 * Subclasses decide whether reads see a pending object.
 */
abstract class DelayedVisibility extends ForwardingBlobStore {
    private final Map<String, Long> pendingUntil = new ConcurrentHashMap<>();
    private final Predicate<String> keys;
    private final long delayNanos;

    DelayedVisibility(BlobStore delegate, Predicate<String> keys, Duration delay) {
        super(delegate);
        this.keys = keys;
        this.delayNanos = delay.toNanos();
    }

    /** Whether the last write of {@code container/name} is still within its delay. */
    final boolean pending(String container, String name) {
        Long until = pendingUntil.get(container + "/" + name);
        return until != null && until - System.nanoTime() > 0;
    }

    private void written(String container, String name) {
        if (keys.test(name)) {
            pendingUntil.put(container + "/" + name, System.nanoTime() + delayNanos);
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
    public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
        written(mpu.containerName(), mpu.blobName());
        return super.completeMultipartUpload(mpu, parts);
    }

    @Override
    public String copyBlob(String fromContainer, String fromName, String toContainer, String toName, CopyOptions options) {
        written(toContainer, toName);
        return super.copyBlob(fromContainer, fromName, toContainer, toName, options);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        PageSet<? extends StorageMetadata> page = super.list(container, options);
        if (pendingUntil.isEmpty()) {
            return page;
        }
        List<StorageMetadata> shown = new ArrayList<>();
        for (StorageMetadata m : page) {
            if (m.getType() != StorageType.BLOB || !pending(container, m.getName())) {
                shown.add(m);
            }
        }
        return new PageSetImpl<>(shown, page.getNextMarker());
    }
}
