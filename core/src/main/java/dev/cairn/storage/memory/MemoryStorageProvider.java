package dev.cairn.storage.memory;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageProvider;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Serves the {@code memory} scheme with a {@link MemoryStorage}. Registered through
 * {@code META-INF/services}, so every context has {@code memory://} without configuration.
 * Reads no options.
 *
 * <p>Thread-safe (stateless).
 */
public final class MemoryStorageProvider implements StorageProvider {
    /** The scheme served: {@value}. */
    public static final String SCHEME = "memory";

    /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
    public MemoryStorageProvider() {
    }

    /** {@code memory}. */
    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    /**
     * A new {@link MemoryStorage}. Every instance sees the same files, whatever context opened
     * it; {@code options} are not read.
     *
     * @throws IllegalArgumentException if {@code scheme} is not {@code memory}
     */
    @Override
    public Storage open(String scheme, CairnOptions options) {
        Objects.requireNonNull(scheme, "scheme");
        if (!SCHEME.equals(scheme.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("Cannot open storage for scheme '" + scheme
                    + "' (expected '" + SCHEME + "', found '" + scheme + "'; this provider serves memory:// only)");
        }
        return new MemoryStorage();
    }
}
