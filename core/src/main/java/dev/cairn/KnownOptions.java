package dev.cairn;

import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Serializers;
import dev.cairn.storage.StorageProvider;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * The option keys a context understands: core's, the serializers', and those of every storage
 * provider it can see. A key ending in {@code .} is a prefix. Any other {@code cairn.*} key is
 * a typo until proven otherwise, and fails the build with the nearest known key.
 */
final class KnownOptions {


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

    KnownOptions(Collection<StorageProvider> providers, dev.cairn.config.CairnOptions options) {
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

    /** Fails for a {@code cairn.*} key that is neither known nor under a known prefix. */
    void check(String key) {
        if (!key.startsWith("cairn.") || keys.contains(key)) {
            return;
        }
        for (String k : keys) {
            if (k.endsWith(".") && key.startsWith(k) && key.length() > k.length()) {
                return;
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
        throw new CairnException("Cannot build context: unknown option '" + key + "' (expected a known cairn.* key, found none by that name;"
                + " did you mean '" + nearest + "'?)");
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
