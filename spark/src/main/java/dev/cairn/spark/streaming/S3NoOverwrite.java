package dev.cairn.spark.streaming;

import dev.cairn.storage.Storage;
import dev.cairn.storage.s3.S3Storage;
import dev.cairn.storage.s3.S3StoreCapabilities;

/**
 * What Cairn's S3 storage found out about conditional writes. A class of its own, so that
 * {@code cairn-storage-s3}, an optional dependency, is only loaded when an {@code s3://}
 * storage is in use.
 */
final class S3NoOverwrite {
    /** The storage class this reads, by name, to test for it without loading it. */
    static final String STORAGE_CLASS = "dev.cairn.storage.s3.S3Storage";

    private S3NoOverwrite() {
    }

    /** The guarantee and, for the log, why. */
    static Guarantees.Found of(Storage storage) {
        S3Storage s3 = (S3Storage) storage;
        if (!s3.settings().conditionalWrites()) {
            return new Guarantees.Found(NoOverwrite.CHECKED, "cairn.s3.conditional-writes=false: a HEAD before each PUT, no"
                    + " If-None-Match");
        }
        S3StoreCapabilities.Support support = s3.storeCapabilities().map(S3StoreCapabilities::conditionalWrites)
                .orElse(S3StoreCapabilities.Support.UNKNOWN);
        switch (support) {
            case SUPPORTED:
                return new Guarantees.Found(NoOverwrite.ATOMIC, "the store enforces If-None-Match: *");
            case IGNORED:
                return new Guarantees.Found(NoOverwrite.CHECKED, "the store ignores If-None-Match: * (its probe replaced an"
                        + " object despite the header): a HEAD before each PUT is all that stops an overwrite");
            case REJECTED:
                return new Guarantees.Found(NoOverwrite.CHECKED, "the store rejects If-None-Match: *: a HEAD before each PUT"
                        + " is all that stops an overwrite");
            default:
                return new Guarantees.Found(NoOverwrite.UNKNOWN, "the store was not probed (cairn.s3.probe=false, or the probe"
                        + " could not run): atomic only if it enforces If-None-Match: *");
        }
    }
}
