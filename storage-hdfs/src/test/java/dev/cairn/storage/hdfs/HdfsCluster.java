package dev.cairn.storage.hdfs;

import dev.cairn.storage.tck.StorageContractTest;
import java.net.URI;
import java.util.Map;
import java.util.UUID;

/** A {@link MiniHdfs} for one test class (a static {@code @RegisterExtension} field). */
final class HdfsCluster extends PerClass<MiniHdfs> {
    /** One DataNode, default settings; {@code name} names the base directory. */
    HdfsCluster(String name) {
        this(name, Map.of());
    }

    /** One DataNode and {@code settings} for the cluster. */
    HdfsCluster(String name, Map<String, String> settings) {
        super(() -> MiniHdfs.start(name, 1, settings));
    }

    /** {@code hdfs://localhost:<port>}. */
    URI uri() {
        return get().uri();
    }

    /** A fresh directory {@code <name>/<random>} on the cluster. */
    URI newDirectory(String name) {
        return StorageContractTest.child(uri(), name + "/" + UUID.randomUUID());
    }
}
