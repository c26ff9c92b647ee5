package org.gaul.s3proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.domain.internal.MutableStorageMetadataImpl;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.GetOptions;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.options.PutOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.io.Payload;

/**
 * Test-only access to S3Proxy's package-private middleware, so Cairn's tests can build them in
 * process instead of through {@code Main} and a properties file (which also lets the delay be
 * given in any time unit). Lives in S3Proxy's package for that reason only.
 */
public final class CairnTestBlobStores {
    private CairnTestBlobStores() {
    }

    /**
     * S3Proxy's {@code EventualBlobStore}: writes land in {@code writeStore} at once and are
     * copied to {@code readStore}, which serves every read and listing, after {@code delay}
     * (with {@code probability}; 1.0 means every write eventually shows).
     */
    public static BlobStore eventual(BlobStore writeStore, BlobStore readStore, ScheduledExecutorService executor, int delay,
                                     TimeUnit unit, double probability) {
        return EventualBlobStore.newEventualBlobStore(writeStore, readStore, executor, delay, unit, probability);
    }

    /**
     * S3Proxy's {@code NullBlobStore} for the objects whose key matches {@code keys}: it keeps only
     * their length and reads back zeros of that length; other objects are stored as they are. Its
     * listings report the logical length: the original fixes sizes only in {@code list(container)},
     * while S3Proxy lists with options, so every such object would list as 8 bytes (the stored
     * length field) and Cairn's listing check would catch the damage by size alone. With the fix
     * the store lies consistently, as a silently corrupting store would, and only the CRC32C of
     * the bytes can tell.
     */
    public static BlobStore zeros(BlobStore delegate, Predicate<String> keys) {
        return new ZerosFor(delegate, NullBlobStore.newNullBlobStore(delegate), keys);
    }

    /** Routes the matching keys to a NullBlobStore over the same store, the rest straight through. */
    private static final class ZerosFor extends ForwardingBlobStore {
        private final BlobStore nulls;
        private final Predicate<String> keys;

        ZerosFor(BlobStore plain, BlobStore nulls, Predicate<String> keys) {
            super(plain);
            this.nulls = nulls;
            this.keys = keys;
        }

        @Override
        public String putBlob(String container, Blob blob) {
            return keys.test(blob.getMetadata().getName()) ? nulls.putBlob(container, blob) : super.putBlob(container, blob);
        }

        @Override
        public String putBlob(String container, Blob blob, PutOptions options) {
            return keys.test(blob.getMetadata().getName()) ? nulls.putBlob(container, blob, options)
                    : super.putBlob(container, blob, options);
        }

        @Override
        public Blob getBlob(String container, String name) {
            return keys.test(name) ? nulls.getBlob(container, name) : super.getBlob(container, name);
        }

        @Override
        public Blob getBlob(String container, String name, GetOptions options) {
            return keys.test(name) ? nulls.getBlob(container, name, options) : super.getBlob(container, name, options);
        }

        @Override
        public BlobMetadata blobMetadata(String container, String name) {
            return keys.test(name) ? nulls.blobMetadata(container, name) : super.blobMetadata(container, name);
        }

        @Override
        public MultipartPart uploadMultipartPart(MultipartUpload mpu, int partNumber, Payload payload) {
            return keys.test(mpu.blobName()) ? nulls.uploadMultipartPart(mpu, partNumber, payload)
                    : super.uploadMultipartPart(mpu, partNumber, payload);
        }

        @Override
        public String completeMultipartUpload(MultipartUpload mpu, List<MultipartPart> parts) {
            return keys.test(mpu.blobName()) ? nulls.completeMultipartUpload(mpu, parts) : super.completeMultipartUpload(mpu, parts);
        }

        @Override
        public void abortMultipartUpload(MultipartUpload mpu) {
            if (keys.test(mpu.blobName())) {
                nulls.abortMultipartUpload(mpu);
            } else {
                super.abortMultipartUpload(mpu);
            }
        }

        @Override
        public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
            PageSet<? extends StorageMetadata> page = super.list(container, options);
            List<StorageMetadata> fixed = new ArrayList<>();
            for (StorageMetadata sm : page) {
                if (sm.getType() == StorageType.BLOB && keys.test(sm.getName())) {
                    BlobMetadata meta = nulls.blobMetadata(container, sm.getName());
                    MutableStorageMetadataImpl m = new MutableStorageMetadataImpl(sm);
                    if (meta != null) {
                        m.setSize(meta.getSize());
                    }
                    fixed.add(m);
                } else {
                    fixed.add(sm);
                }
            }
            return new PageSetImpl<>(fixed, page.getNextMarker());
        }
    }
}
