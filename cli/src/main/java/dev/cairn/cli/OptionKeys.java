package dev.cairn.cli;

import dev.cairn.checkpoint.CheckpointOptions;
import dev.cairn.serde.Serializers;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.StorageRegistry;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code cairn.*} option keys this process knows, so that a mistyped {@code -o} key is a
 * usage error naming the nearest known key, as {@code CairnContext.Builder.build()} does for a
 * context. Core keeps that check package-private; this is the same rule built from core's public
 * key lists and the storage providers on the class path.
 */
final class OptionKeys {
    /** Keys DESIGN.md fixes, known even without the module that reads them, and core's context keys. */
    private static final Set<String> FIXED = Set.of(
            "cairn.serializer", "cairn.checkpoint.compression", "cairn.checkpoint.cleanup-on-close",
            "cairn.checkpoint.cleanup-on-gc", "cairn.checkpoint.listing.timeout", "cairn.spill.dir",
            "cairn.s3.endpoint", "cairn.s3.region", "cairn.s3.path-style-access", "cairn.s3.access-key",
            "cairn.s3.secret-key", "cairn.s3.listing.consistency", "cairn.hadoop.");

    private final Set<String> keys = new TreeSet<>(FIXED);

    OptionKeys(ClassLoader loader) {
        keys.addAll(CheckpointOptions.keys());
        keys.addAll(Serializers.optionKeys());
        for (StorageProvider p : StorageRegistry.discover(loader)) {
            keys.addAll(p.optionKeys());
        }
    }

    /**
     * Why {@code key} is not accepted, or empty when it is: a key outside {@code cairn.*}, or a
     * {@code cairn.*} key neither known nor under a known prefix (those ending in {@code .}).
     */
    Optional<String> problem(String key) {
        if (!key.startsWith("cairn.")) {
            return Optional.of("Unknown option '" + key + "' (expected a cairn.* key such as cairn.s3.endpoint, found '" + key
                    + "'; Hadoop settings go as cairn.hadoop.<key>)");
        }
        if (keys.contains(key)) {
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
        return Optional.of("Unknown option '" + key + "' (expected a known cairn.* key, found none by that name; did you mean '"
                + nearest + "'?)");
    }

    /** Levenshtein distance. */
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
