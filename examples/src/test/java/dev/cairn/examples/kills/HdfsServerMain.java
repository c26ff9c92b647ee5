package dev.cairn.examples.kills;

import java.io.File;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.HdfsConfiguration;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/**
 * An HDFS for the kill campaign in a JVM of its own: Hadoop's mini cluster (a NameNode and one
 * DataNode) under the given base directory, so that the processes the campaign kills are HDFS
 * clients of another process, as they would be of a real cluster. Prints
 * {@code READY hdfs://localhost:<port>} once it serves, and shuts down when its standard input
 * closes (the test ends it, or the test JVM dies).
 *
 * <p>Arguments: the base directory (NameNode and DataNode storage).
 */
public final class HdfsServerMain {
    private HdfsServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Configuration conf = new HdfsConfiguration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, args[0]);
        conf.setInt("dfs.replication", 1);
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, new File(args[0])).numDataNodes(1).build();
        cluster.waitActive();
        System.out.println("READY hdfs://" + cluster.getURI().getAuthority());
        System.out.flush();
        ServerMains.awaitEndOfInput();
        cluster.shutdown(true);
        System.exit(0);
    }
}
