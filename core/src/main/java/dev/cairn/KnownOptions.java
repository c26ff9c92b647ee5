package dev.cairn;

import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Serializers;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.StorageRegistry;
import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The option keys a context understands: core's, the serializers', and those of every storage
 * provider it can see. A key ending in {@code .} is a prefix. Any other {@code cairn.*} key is
 * a typo until proven otherwise: {@code CairnContext.Builder.build()} fails on it naming the
 * nearest known key, and tools that take options without building a context (the command line,
 * Spark's streaming checkpoint manager) check them here the same way.
 *
 * <p>Immutable and thread-safe.
 */
public final class KnownOptions {

    /** Keys fixed by the design, known even when the module that reads them is not on the class path. */
    private static final Set<String> CORE = Set.of(
            "cairn.serializer",
            "cairn.checkpoint.compression",
            "cairn.checkpoint.cleanup-on-close",
            "cairn.checkpoint.listing.timeout",
            "cairn.s3.endpoint",
            "cairn.s3.region",
            "cairn.s3.path-style-access",
            "cairn.s3.access-key",
            "cairn.s3.secret-key",
            "cairn.s3.listing.consistency",
            "cairn.hadoop.",
            dev.cairn.internal.engine.EngineContext.SPILL_DIR);

    private final Set<String> keys = new TreeSet<>();
    private final Set<String> served = new TreeSet<>();

    /**
     * The keys known with the storage providers {@code loader} finds through
     * {@link java.util.ServiceLoader}, as a context built with that class loader would know them.
     *
     * @param options the options given, which may decide the schemes a provider serves
     */
    public static KnownOptions discover(ClassLoader loader, CairnOptions options) {
        return new KnownOptions(StorageRegistry.discover(loader), options);
    }

    KnownOptions(Collection<StorageProvider> providers, CairnOptions options) {
        keys.addAll(CORE);
        for (StorageProvider p : providers) {
            served.addAll(p.schemes(options));
        }
        keys.addAll(Serializers.optionKeys());
        keys.addAll(dev.cairn.checkpoint.CheckpointOptions.keys());
        keys.add(dev.cairn.internal.engine.EngineContext.CLEANUP_ON_CLOSE);
        keys.add(dev.cairn.internal.engine.EngineContext.CLEANUP_ON_GC);
        keys.add(dev.cairn.internal.engine.AsyncCheckpoints.THREADS);
        keys.add(dev.cairn.internal.engine.AsyncCheckpoints.CLOSE_TIMEOUT);
        for (StorageProvider p : providers) {
            keys.addAll(p.optionKeys());
        }
    }

    /** Every known key; those ending in {@code .} are prefixes. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(keys);
    }

    /**
     * Why {@code key} is not accepted, or empty when it is: a {@code cairn.*} key neither known
     * nor under a known prefix, with the nearest known key. Keys outside {@code cairn.*} are not
     * Cairn's to judge and are accepted.
     */
    public Optional<String> problem(String key) {
        if (!key.startsWith("cairn.") || keys.contains(key)) {
            return Optional.empty();
        }
        for (String k : keys) {
            if (k.endsWith(".") && key.startsWith(k) && key.length() > k.length()) {
                return Optional.empty();
            }
        }
        String nearest = null;
        int best = Integer.MAX_VALUE;
        for (String k : keys) {
            int d = distance(key, k);
            if (d < best) {
                best = d;
                nearest = k;
            }
        }
        return Optional.of("unknown option '" + key + "' (expected a known cairn.* key, found none by that name;"
                + " did you mean '" + nearest + "'?)");
    }

    /** Fails for a {@code cairn.*} key that is neither known nor under a known prefix. */
    void check(String key) {
        problem(key).ifPresent(p -> {
            throw new CairnException("Cannot build context: " + p);
        });
    }

    /**
     * Warns about a known key that cannot take effect here: a backend option whose backend is
     * not on the class path. Such a setting is usually a missing dependency, and silence would
     * hide it.
     */
    void warnIfIneffective(String key, org.slf4j.Logger log) {
        if (key.startsWith("cairn.s3.") && !served.contains("s3")) {
            log.warn("Option {} has no effect: no storage serves s3:// here (add dev.cairn:cairn-storage-s3)", key);
        } else if (key.startsWith("cairn.hadoop.") && !served.contains("hdfs")) {
            log.warn("Option {} has no effect: no Hadoop storage is on the class path (add dev.cairn:cairn-storage-hdfs)", key);
        }
    }

    /** Levenshtein distance: small strings, so the quadratic table is fine. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
