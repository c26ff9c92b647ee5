package dev.cairn.storage.s3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * A blob store whose listings leave out each object for a while after it was written, while GET
 * and HEAD see it at once: how AWS S3 behaved before December 2020 (read-after-write for new
 * objects, eventually consistent listings), and the failure Spark's checkpoint hit.
 */
final class LaggingListings extends ForwardingBlobStore {
    private final Map<String, Long> listedFrom = new ConcurrentHashMap<>();
    private final long delayNanos;

    LaggingListings(BlobStore delegate, Duration delay) {
        super(delegate);
        this.delayNanos = delay.toNanos();
    }

    private void written(String container, String name) {
        listedFrom.put(container + "/" + name, System.nanoTime() + delayNanos);
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
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        PageSet<? extends StorageMetadata> page = super.list(container, options);
        long now = System.nanoTime();
        List<StorageMetadata> shown = new ArrayList<>();
        for (StorageMetadata m : page) {
            Long from = listedFrom.get(container + "/" + m.getName());
            if (m.getType() != StorageType.BLOB || from == null || from - now <= 0) {
                shown.add(m);
            }
        }
        return new PageSetImpl<>(shown, page.getNextMarker());
    }
}
