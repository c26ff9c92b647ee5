package dev.cairn.spark.internal;

import dev.cairn.config.CairnOptions;
import dev.cairn.storage.StorageRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage of this JVM (a Spark driver or executor): one {@link StorageRegistry} per distinct
 * set of options, opened on first use and kept for the life of the JVM, so the S3 clients and
 * Hadoop file systems it holds serve every task that runs here, not just one. Closed by a
 * shutdown hook when the JVM ends.
 *
 * <p>A task builds its registry from the options shipped in the checkpoint spec, never from
 * driver-only state: an executor knows nothing but what the task carries. Not API.
 */
public final class JvmStorage {
    private static final Logger LOG = LoggerFactory.getLogger(JvmStorage.class);
    private static final Map<Key, StorageRegistry> REGISTRIES = new ConcurrentHashMap<>();
    private static volatile boolean hooked;

    private record Key(Map<String, String> options, ClassLoader loader) {
    }

    private JvmStorage() {
    }

    /**
     * The registry for {@code options}, over the providers visible to the calling thread's
     * context class loader (on an executor: the application's jars).
     */
    public static StorageRegistry registry(CairnOptions options) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = JvmStorage.class.getClassLoader();
        }
        ClassLoader l = loader;
        hookOnce();
        return REGISTRIES.computeIfAbsent(new Key(options.asMap(), l), k -> StorageRegistry.create(options, List.of(), l));
    }

    private static void hookOnce() {
        if (hooked) {
            return;
        }
        synchronized (JvmStorage.class) {
            if (!hooked) {
                Runtime.getRuntime().addShutdownHook(new Thread(JvmStorage::closeAll, "cairn-storage-close"));
                hooked = true;
            }
        }
    }

    /** Closes every registry; the JVM's shutdown hook calls it. */
    static void closeAll() {
        for (StorageRegistry r : REGISTRIES.values()) {
            try {
                r.close();
            } catch (RuntimeException e) {
                LOG.warn("Cannot close Cairn storage at JVM exit", e);
            }
        }
        REGISTRIES.clear();
    }
}
