package dev.cairn.storage;

import java.util.Objects;

/**
 * What a backend guarantees.
 *
 * @param listing     whether listings show committed files at once
 * @param atomicRename whether the backend publishes by renaming a temporary file (which then may
 *                    show up in listings under a temporary name while a write is in progress)
 */
public record StorageCapabilities(ListingConsistency listing, boolean atomicRename) {

    /** Validates the fields. */
    public StorageCapabilities {
        Objects.requireNonNull(listing, "listing");
    }
}
