package org.gaul.s3proxy;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.BlobMetadata;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.StorageType;
import org.jclouds.blobstore.domain.internal.MutableStorageMetadataImpl;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.util.ForwardingBlobStore;

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
     * S3Proxy's {@code NullBlobStore}, which keeps only each object's length and reads back zeros
     * of that length, with one fix: its listings report that logical length too. The original
     * fixes sizes only in {@code list(container)}, while S3Proxy lists with options, so every
     * object would list as 8 bytes (the stored length field). Cairn's listing check would then
     * catch the damage by size alone; with this fix the store lies consistently, as a silently
     * corrupting store would, and only the CRC32C of the bytes can tell.
     */
    public static BlobStore zeros(BlobStore delegate) {
        return new LogicalSizeListings(NullBlobStore.newNullBlobStore(delegate));
    }

    private static final class LogicalSizeListings extends ForwardingBlobStore {
        LogicalSizeListings(BlobStore nullStore) {
            super(nullStore);
        }

        @Override
        public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
            PageSet<? extends StorageMetadata> page = super.list(container, options);
            java.util.List<StorageMetadata> fixed = new java.util.ArrayList<>();
            for (StorageMetadata sm : page) {
                if (sm.getType() == StorageType.BLOB) {
                    BlobMetadata meta = blobMetadata(container, sm.getName());
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
