package dev.cairn.storage;

import dev.cairn.config.CairnOptions;
import java.net.URI;
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
     * Checks the values of this provider's options without opening a storage, so that a context
     * fails at {@code build()} with a complete message instead of inside its first task (a URI
     * without a scheme, an access key without a secret). Called by {@code CairnContext.Builder.build()}
     * for every provider it can see. Does nothing by default.
     *
     * @throws dev.cairn.CairnException naming the option, the value found and the form expected
     *                                  (never printing a secret)
     */
    default void checkOptions(CairnOptions options) {
    }

    /**
     * Checks that {@code location} (a URI with one of this provider's schemes) has a form this
     * provider can serve as a directory, so that a bad checkpoint directory fails where it is set
     * ({@code CairnContext.resolveLocation}, {@code checkpointDir}) instead of inside the first
     * task: e.g. {@code file://host/x}, or a regular file where a directory is expected. May look
     * at local metadata; must not open a network connection. Does nothing by default.
     *
     * @throws dev.cairn.CairnException naming the location, what was expected and what was found
     */
    default void checkLocation(URI location, CairnOptions options) {
    }

    /**
     * A storage for {@code scheme}, configured from the context's options. Called at most once
     * per scheme and context, on first use; the context closes the storage when it closes.
     */
    Storage open(String scheme, CairnOptions options);
}
