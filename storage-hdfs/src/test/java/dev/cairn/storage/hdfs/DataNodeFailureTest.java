package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointState;
import dev.cairn.Dataset;
import dev.cairn.MissingPartException;
import dev.cairn.checkpoint.CheckpointLayout;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.hdfs.protocol.DatanodeInfo;
import org.apache.hadoop.hdfs.protocol.LocatedBlock;
import org.apache.hadoop.hdfs.server.datanode.DataNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DataNode dies while a checkpoint is being written to a three-DataNode mini cluster. Every
 * partition stops halfway through its part file, with its block pipeline open, until the test
 * has stopped a DataNode; then the writes go on. Two outcomes are allowed, and one is not:
 * <ul>
 *   <li>with three replicas, HDFS drops the dead node from each pipeline and the checkpoint
 *       completes, whole and readable;</li>
 *   <li>with one replica on the dead node, the write fails, and the checkpoint fails cleanly:
 *       no {@code _manifest.json}, no part files, lineage intact, and a retry commits once the
 *       node is back;</li>
 *   <li>never a manifest next to missing or partial parts.</li>
 * </ul>
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DataNodeFailureTest {
    private static final Logger LOG = LoggerFactory.getLogger(DataNodeFailureTest.class);
    private static final int PARTITIONS = 4;
    private static final int RECORDS_PER_PARTITION = 4096;
    private static final int RECORD_BYTES = 1024; // 4 MiB per part file
    private static MiniHdfs hdfs;

    private final List<MiniDFSCluster.DataNodeProperties> stopped = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws IOException {
        hdfs = MiniHdfs.start("datanode-failure", 3, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @AfterEach
    void restartStoppedDataNodes() throws IOException {
        for (MiniDFSCluster.DataNodeProperties dn : stopped) {
            hdfs.cluster().restartDataNode(dn, true);
        }
        stopped.clear();
        hdfs.cluster().waitActive();
    }

    @Test
    void withThreeReplicasTheCheckpointCompletesOnTheSurvivingDataNodes() throws Exception {
        URI dir = URI.create(hdfs.uri() + "/dn-failure/" + UUID.randomUUID());
        try (CairnContext ctx = context(dir, 3)) {
            Writer writer = new Writer(ctx);
            writer.startAndWaitHalfway();
            URI location = CheckpointLayout.datasetDirectory(dir, ctx.contextId(), writer.dataset.id());
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(3, pipeline(location, String.format("part-%05d", p)).length, "pipeline of part " + p);
            }
            stopDataNode(0); // in every pipeline: with three replicas on three nodes, each block is on all of them
            writer.resume();

            long count = writer.result();
            assertEquals((long) PARTITIONS * RECORDS_PER_PARTITION, count);
            assertTrue(writer.dataset.isCheckpointed(), "the checkpoint completes on the two surviving DataNodes");
            assertEquals(location, writer.dataset.checkpointLocation().orElseThrow());
            for (int p = 0; p < PARTITIONS; p++) {
                Path part = new Path(CheckpointLayout.child(location, String.format("part-%05d", p)));
                FileStatus status = hdfs.fs().getFileStatus(part);
                assertTrue(status.getLen() > (long) RECORDS_PER_PARTITION * RECORD_BYTES, "length of " + part + ": " + status.getLen());
                for (BlockLocation block : hdfs.fs().getFileBlockLocations(status, 0, status.getLen())) {
                    assertTrue(block.getHosts().length >= 2, part + " has " + block.getHosts().length + " live replicas");
                }
            }
            try (CairnContext reader = CairnContext.builder().parallelism(2).build()) {
                assertEquals(expectedSum(), sumOfKeys(reader.readCheckpoint(location)), "the data read back in another context");
            }
        }
    }

    @Test
    void withOneReplicaOnTheDeadDataNodeTheCheckpointFailsCleanlyAndARetryCommits() throws Exception {
        URI dir = URI.create(hdfs.uri() + "/dn-failure/" + UUID.randomUUID());
        try (CairnContext ctx = context(dir, 1)) {
            Writer writer = new Writer(ctx);
            URI location = CheckpointLayout.datasetDirectory(dir, ctx.contextId(), writer.dataset.id());
            writer.startAndWaitHalfway();
            int victim = dataNodeWriting(location, "part-00000");
            stopDataNode(victim);
            writer.resume();

            ExecutionException failed = assertThrows(ExecutionException.class, writer::result);
            LOG.info("The write failed as expected: {}", failed.getCause().toString());
            assertNotNull(HadoopCheckpointTest.find(failed, IOException.class), "HDFS's write error is the cause");
            assertEquals(CheckpointState.MARKED, writer.dataset.checkpointState(), "the mark stays; the lineage is intact");
            assertFalse(hdfs.fs().exists(new Path(CheckpointLayout.child(location, "_manifest.json"))), "no manifest");
            assertEquals(List.of(), partsLeft(location), "every part of the failed attempt is removed");
            try (CairnContext reader = CairnContext.builder().parallelism(2).build()) {
                MissingPartException e = assertThrows(MissingPartException.class, () -> reader.readCheckpoint(location));
                assertEquals("_manifest.json", e.file());
            }

            restartStoppedDataNodes();
            writer.releaseAll();
            assertEquals((long) PARTITIONS * RECORDS_PER_PARTITION, writer.dataset.count(), "the retry recomputes from the lineage");
            assertTrue(writer.dataset.isCheckpointed());
            try (CairnContext reader = CairnContext.builder().parallelism(2).build()) {
                assertEquals(expectedSum(), sumOfKeys(reader.readCheckpoint(location)));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static CairnContext context(URI dir, int replication) {
        return CairnContext.builder()
                .appName("datanode-failure")
                .parallelism(PARTITIONS)
                .checkpointDir(dir)
                .option("cairn.hadoop.dfs.replication", Integer.toString(replication))
                // At most 4 packets (256 KiB) unacknowledged: a partition halfway through its
                // 4 MiB has had most of its bytes acknowledged by the whole pipeline, so the
                // DataNode dies under an open, streaming pipeline, not before one is set up.
                .option("cairn.hadoop.dfs.client.write.max-packets-in-flight", "4")
                .build();
    }

    /**
     * A lazily checkpointed dataset whose partitions each stop halfway until released, and a
     * count() over it running in the background.
     */
    private static final class Writer {
        final HalfwayGate gate = new HalfwayGate(PARTITIONS, RECORDS_PER_PARTITION);
        final Dataset<byte[]> dataset;
        private CompletableFuture<Long> count;

        Writer(CairnContext ctx) {
            dataset = ctx.range(0, (long) PARTITIONS * RECORDS_PER_PARTITION, PARTITIONS)
                    .mapPartitions(records -> gate.pause(records, DataNodeFailureTest::record));
            dataset.checkpoint();
        }

        void startAndWaitHalfway() throws InterruptedException {
            count = CompletableFuture.supplyAsync(dataset::count);
            gate.awaitHalfway(count);
            LOG.info("All {} partitions are halfway through their part files", PARTITIONS);
        }

        void resume() {
            gate.resume();
        }

        /** Lets later computations through without stopping. */
        void releaseAll() {
            gate.releaseAll();
        }

        long result() throws Exception {
            return count.get(2, TimeUnit.MINUTES);
        }
    }

    /** 1 KiB whose first 8 bytes are the key. */
    private static byte[] record(long key) {
        byte[] bytes = new byte[RECORD_BYTES];
        java.util.Arrays.fill(bytes, (byte) key);
        ByteBuffer.wrap(bytes).putLong(0, key);
        return bytes;
    }

    private static long sumOfKeys(Dataset<byte[]> ds) {
        return ds.map(b -> ByteBuffer.wrap(b).getLong(0)).reduce(Long::sum);
    }

    private static long expectedSum() {
        long n = (long) PARTITIONS * RECORDS_PER_PARTITION;
        return n * (n - 1) / 2;
    }

    private void stopDataNode(int index) {
        DataNode dn = hdfs.cluster().getDataNodes().get(index);
        LOG.info("Stopping DataNode {} ({}) while the parts are being written", index, dn.getDisplayName());
        stopped.add(hdfs.cluster().stopDataNode(index));
    }

    /** The index of the DataNode holding the one replica of the block being written of {@code part}'s temporary file. */
    private static int dataNodeWriting(URI location, String part) throws IOException {
        DatanodeInfo[] nodes = pipeline(location, part);
        assertEquals(1, nodes.length, "one replica");
        List<DataNode> dataNodes = hdfs.cluster().getDataNodes();
        for (int i = 0; i < dataNodes.size(); i++) {
            if (dataNodes.get(i).getXferPort() == nodes[0].getXferPort()) {
                return i;
            }
        }
        fail("no DataNode at " + nodes[0]);
        return -1;
    }

    /** The DataNodes of the block under construction of {@code part}'s temporary file, as the NameNode sees it. */
    private static DatanodeInfo[] pipeline(URI location, String part) throws IOException {
        for (FileStatus s : hdfs.fs().listStatus(new Path(location))) {
            String name = s.getPath().getName();
            if (name.startsWith("." + part + ".") && HadoopStorage.isTemporaryName(name)) {
                LocatedBlock last = hdfs.fs().getClient().getLocatedBlocks(s.getPath().toUri().getPath(), 0).getLastLocatedBlock();
                assertNotNull(last, "the block under construction of " + name);
                return last.getLocations();
            }
        }
        fail("no temporary file of " + part + " in " + location);
        return null;
    }

    private static List<String> partsLeft(URI location) throws IOException {
        List<String> left = new ArrayList<>();
        Path dir = new Path(location);
        if (hdfs.fs().exists(dir)) {
            for (FileStatus s : hdfs.fs().listStatus(dir)) {
                left.add(s.getPath().getName());
            }
        }
        return left;
    }
}
