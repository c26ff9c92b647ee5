package dev.cairn;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageRegistry;
import java.net.URI;
import java.util.List;

/**
 * The stores under a test's checkpoints, seen from outside any context, as another process
 * would see them: for looking at files and tampering with them. {@code memory://} volumes are
 * shared by the whole JVM, so this sees what a context wrote there.
 */
public final class RawStorage {
    private static final StorageRegistry REGISTRY =
            StorageRegistry.create(CairnOptions.empty(), List.of(), RawStorage.class.getClassLoader());

    private RawStorage() {
    }

    /** The storage serving {@code location}'s scheme. */
    public static Storage of(URI location) {
        return REGISTRY.storageFor(location);
    }

    /** The registry itself, for the format API's calls. */
    public static StorageRegistry registry() {
        return REGISTRY;
    }
}
