package dev.cairn.storage.hdfs;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * An HDFS mini cluster (NameNode and DataNodes in this JVM) for one test class, under
 * {@code target/minidfs/<name>-<random>}. Start it in a static {@code @BeforeAll} and close it
 * in {@code @AfterAll}: one costs seconds to start.
 */
final class MiniHdfs implements AutoCloseable {
    private final MiniDFSCluster cluster;
    private final Path baseDir;

    private MiniHdfs(MiniDFSCluster cluster, Path baseDir) {
        this.cluster = cluster;
        this.baseDir = baseDir;
    }

    /**
     * Starts a cluster.
     *
     * @param name      for the base directory
     * @param dataNodes how many DataNodes
     * @param settings  Hadoop settings for the cluster's NameNode and DataNodes
     */
    static MiniHdfs start(String name, int dataNodes, Map<String, String> settings) throws IOException {
        Path base = Path.of("target", "minidfs", name + "-" + UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        Files.createDirectories(base);
        Configuration conf = new HdfsConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        settings.forEach(conf::set);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, base.toFile())
                .numDataNodes(dataNodes)
                .build();
        cluster.waitActive();
        return new MiniHdfs(cluster, base);
    }

    /** {@code hdfs://localhost:<port>}, without a trailing slash. */
    URI uri() {
        URI uri = cluster.getURI();
        return URI.create("hdfs://" + uri.getAuthority());
    }

    /** The cluster itself, to stop and restart DataNodes. */
    MiniDFSCluster cluster() {
        return cluster;
    }

    /** A client of the cluster that bypasses Cairn, to inspect or damage files. */
    DistributedFileSystem fs() throws IOException {
        return cluster.getFileSystem();
    }

    @Override
    public void close() {
        cluster.shutdown(true);
    }

    @Override
    public String toString() {
        return "MiniHdfs[" + uri() + ", " + baseDir + "]";
    }
}
