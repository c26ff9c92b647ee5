package dev.cairn.storage;

import dev.cairn.config.CairnOptions;
import java.util.Set;

/**
 * Makes {@link Storage} instances for one or more URI schemes. Providers are found through
 * {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.cairn.storage.StorageProvider}) or registered explicitly with a
 * context. Two providers for the same scheme in one context is an error.
 *
 * <p>Implementations need a public no-argument constructor and must be thread-safe.
 */
public interface StorageProvider {

    /** The lower-case URI schemes served, e.g. {@code file} or {@code s3}. */
    Set<String> schemes();

    /**
     * The schemes served under a context's options: a provider whose schemes are configurable
     * (e.g. a Hadoop provider serving any scheme the user's configuration maps to a file system)
     * overrides this. Defaults to {@link #schemes()}.
     */
    default Set<String> schemes(CairnOptions options) {
        return schemes();
    }

    /**
     * The option keys this provider reads, so a context can reject unknown {@code cairn.*}
     * keys. A key ending in {@code .} stands for every key with that prefix
     * (e.g. {@code cairn.hadoop.}).
     */
    default Set<String> optionKeys() {
        return Set.of();
    }

    /**
     * A storage for {@code scheme}, configured from the context's options. Called at most once
     * per scheme and context, on first use; the context closes the storage when it closes.
     */
    Storage open(String scheme, CairnOptions options);
}
