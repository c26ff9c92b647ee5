package dev.cairn.storage;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The storage backends of one context, by URI scheme. An instance, never static state: two
 * contexts in one JVM may register different providers. Each {@link Storage} is opened on first
 * use and closed with the registry.
 *
 * <p>Thread-safe.
 */
public final class StorageRegistry implements AutoCloseable {
    private final Map<String, StorageProvider> providers = new TreeMap<>();
    private final Map<String, Storage> open = new HashMap<>();
    private final CairnOptions options;
    private boolean closed;

    private StorageRegistry(CairnOptions options) {
        this.options = options;
    }

    /**
     * A registry holding {@code explicit} providers and every provider that
     * {@link ServiceLoader} finds on {@code loader}'s class path. An explicit provider wins over a
     * discovered one for the same scheme (that is how a test wraps a backend in fault injection,
     * or an application swaps in its own); two explicit providers, or two discovered ones, for one
     * scheme are an error.
     *
     * @throws CairnException when two providers of the same kind claim the same scheme
     */
    public static StorageRegistry create(CairnOptions options, Collection<StorageProvider> explicit, ClassLoader loader) {
        StorageRegistry registry = new StorageRegistry(options);
        for (StorageProvider p : explicit) {
            registry.add(p);
        }
        java.util.Set<String> claimed = new java.util.HashSet<>(registry.providers.keySet());
        StorageRegistry discovered = new StorageRegistry(options);
        for (StorageProvider p : ServiceLoader.load(StorageProvider.class, loader)) {
            discovered.add(p);
        }
        discovered.providers.forEach((scheme, p) -> {
            if (!claimed.contains(scheme)) {
                registry.providers.put(scheme, p);
            }
        });
        return registry;
    }

    /**
     * A registry serving {@code scheme} with the given, already open storage only (no discovery):
     * for programs and tests that build their storage themselves. Closing the registry closes it.
     */
    public static StorageRegistry of(String scheme, Storage storage) {
        StorageRegistry registry = new StorageRegistry(CairnOptions.empty());
        String s = scheme.toLowerCase(Locale.ROOT);
        registry.providers.put(s, new StorageProvider() {
            @Override
            public java.util.Set<String> schemes() {
                return java.util.Set.of(s);
            }

            @Override
            public Storage open(String ignored, CairnOptions options) {
                return storage;
            }
        });
        return registry;
    }

    /** Every provider ServiceLoader finds on {@code loader}'s class path (used to collect option keys). */
    public static List<StorageProvider> discover(ClassLoader loader) {
        List<StorageProvider> found = new ArrayList<>();
        ServiceLoader.load(StorageProvider.class, loader).forEach(found::add);
        return found;
    }

    private synchronized void add(StorageProvider provider) {
        for (String scheme : provider.schemes(options)) {
            String s = scheme.toLowerCase(Locale.ROOT);
            StorageProvider previous = providers.putIfAbsent(s, provider);
            if (previous != null && previous != provider) {
                throw new CairnException("Cannot register storage provider " + provider.getClass().getName()
                        + " for scheme '" + s + "' (expected one provider per scheme, found "
                        + previous.getClass().getName() + " already registered; remove one of them from the class path"
                        + " or register the one you want explicitly)");
            }
        }
    }

    /**
     * Lets the provider of {@code location}'s scheme check its form
     * ({@link StorageProvider#checkLocation}); a scheme without a provider is left to
     * {@link #storageFor(URI)} to report.
     *
     * @throws CairnException naming the location, what was expected and what was found
     */
    public void checkLocation(URI location) {
        StorageProvider provider;
        synchronized (this) {
            provider = location.getScheme() == null ? null : providers.get(location.getScheme().toLowerCase(java.util.Locale.ROOT));
        }
        if (provider != null) {
            provider.checkLocation(location, options);
        }
    }

    /** The schemes that have a provider, sorted. */
    public synchronized List<String> schemes() {
        return new ArrayList<>(new TreeSet<>(providers.keySet()));
    }

    /**
     * The storage serving {@code location}'s scheme, opened on first use.
     *
     * @throws CairnException for a URI without a scheme or with one no provider serves; the
     *                        message lists the known schemes
     */
    public synchronized Storage storageFor(URI location) {
        if (closed) {
            throw new CairnException("Cannot open storage for " + location + " (expected an open context, found it closed)");
        }
        String scheme = location.getScheme();
        if (scheme == null) {
            throw new CairnException("Cannot open storage for " + location
                    + " (expected an absolute URI with a scheme such as file:///tmp/ckpt, found none; known schemes: "
                    + schemes() + ")");
        }
        String s = scheme.toLowerCase(Locale.ROOT);
        Storage storage = open.get(s);
        if (storage != null) {
            return storage;
        }
        StorageProvider provider = providers.get(s);
        if (provider == null) {
            throw new CairnException("Cannot open storage for " + location + " (expected one of the known schemes "
                    + schemes() + ", found '" + s + "'; add the module that serves it, e.g. cairn-storage-s3 for s3://,"
                    + " cairn-storage-hdfs for hdfs:// and s3a://, cairn-storage-local for file://)");
        }
        storage = provider.open(s, options);
        open.put(s, storage);
        return storage;
    }

    /** Closes every storage opened so far; the first failure is thrown after all were tried. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        CairnException failure = null;
        for (Map.Entry<String, Storage> e : open.entrySet()) {
            try {
                e.getValue().close();
            } catch (IOException | RuntimeException ex) {
                if (failure == null) {
                    failure = new CairnException("Cannot close storage for scheme " + e.getKey(), ex);
                } else {
                    failure.addSuppressed(ex);
                }
            }
        }
        open.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
