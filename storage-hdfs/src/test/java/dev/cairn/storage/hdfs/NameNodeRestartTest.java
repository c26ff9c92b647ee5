package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NameNode restarts while a checkpoint is being written: every partition has streamed half
 * its part file to the DataNodes (open files, leases held, blocks under construction) when the
 * NameNode goes down and comes back from its edit log; then the writes go on. The HDFS client
 * retries its calls to the NameNode, so the checkpoint must commit whole; a second test restarts
 * the NameNode after the last part and before the manifest. What must never happen is a manifest
 * beside missing or partial parts, or a store failure reported as corruption.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NameNodeRestartTest {
    private static final Logger LOG = LoggerFactory.getLogger(NameNodeRestartTest.class);
    private static final int PARTITIONS = 4;
    private static final int RECORDS_PER_PARTITION = 1024;
    private static final int RECORD_BYTES = 1024; // 1 MiB per part file
    private static MiniHdfs hdfs;

    @BeforeAll
    static void startCluster() throws IOException {
        // DataNodes report to the restarted NameNode within a second, and it leaves safe mode at
        // once: the restart takes seconds instead of waiting out the default 3 s heartbeats.
        hdfs = MiniHdfs.start("namenode-restart", 1, Map.of("dfs.heartbeat.interval", "1", "dfs.namenode.safemode.extension", "0"));
    }

    @AfterAll
    static void stopCluster() {
        if (hdfs != null) {
            hdfs.close();
        }
    }

    @Test
    void aNameNodeRestartWhileThePartsAreWrittenIsRiddenOutAndTheCheckpointCommitsWhole() throws Exception {
        URI dir = URI.create(hdfs.uri() + "/nn-restart/" + UUID.randomUUID());
        HalfwayGate gate = new HalfwayGate(PARTITIONS, RECORDS_PER_PARTITION);
        try (CairnContext ctx = context(dir, null)) {
            Dataset<byte[]> ds = ctx.range(0, (long) PARTITIONS * RECORDS_PER_PARTITION, PARTITIONS)
                    .mapPartitions(records -> gate.pause(records, NameNodeRestartTest::record));
            ds.checkpoint();
            CompletableFuture<Long> count = CompletableFuture.supplyAsync(ds::count);
            gate.awaitHalfway(count);
            URI location = CheckpointLayout.datasetDirectory(dir, ctx.contextId(), ds.id());
            assertEquals(PARTITIONS, temporaryParts(location), "every part is an open file when the NameNode goes down");
            restartNameNode();
            gate.resume();

            assertEquals((long) PARTITIONS * RECORDS_PER_PARTITION, count.get(2, TimeUnit.MINUTES));
            assertCommittedWhole(ds, location);
        }
    }

    @Test
    void aNameNodeRestartBetweenTheLastPartAndTheManifestIsRiddenOut() throws Exception {
        URI dir = URI.create(hdfs.uri() + "/nn-restart/" + UUID.randomUUID());
        CheckpointListener restartAfterLastPart = new CheckpointListener() {
            private int parts;

            @Override
            public synchronized void partWritten(String dataset, URI location, CheckpointManifest.Part part) {
                if (++parts == PARTITIONS) {
                    restartNameNode(); // before the commit writes _partitioner and _manifest.json
                }
            }
        };
        try (CairnContext ctx = context(dir, restartAfterLastPart)) {
            Dataset<byte[]> ds = ctx.range(0, (long) PARTITIONS * RECORDS_PER_PARTITION, PARTITIONS).map(NameNodeRestartTest::record);
            ds.checkpoint(dev.cairn.CheckpointMode.EAGER);
            assertCommittedWhole(ds, CheckpointLayout.datasetDirectory(dir, ctx.contextId(), ds.id()));
        }
    }

    private static CairnContext context(URI dir, CheckpointListener listener) {
        CairnContext.Builder b = CairnContext.builder().appName("namenode-restart").parallelism(PARTITIONS).checkpointDir(dir);
        if (listener != null) {
            b.checkpointListener(listener);
        }
        return b.build();
    }

    private static void restartNameNode() {
        long start = System.nanoTime();
        try {
            hdfs.cluster().restartNameNode(true);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot restart the NameNode", e);
        }
        LOG.info("NameNode restarted in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    /** Committed, every part whole in the store, and read back by another context. */
    private static void assertCommittedWhole(Dataset<byte[]> ds, URI location) throws IOException {
        assertTrue(ds.isCheckpointed(), ds.checkpointState().toString());
        assertEquals(location, ds.checkpointLocation().orElseThrow());
        List<String> names = new ArrayList<>();
        for (FileStatus s : hdfs.fs().listStatus(new Path(location))) {
            names.add(s.getPath().getName());
            if (s.getPath().getName().startsWith("part-")) {
                assertTrue(s.getLen() > (long) RECORDS_PER_PARTITION * RECORD_BYTES, s.getPath() + " is " + s.getLen() + " bytes");
                assertTrue(hdfs.fs().isFileClosed(s.getPath()), s.getPath() + " is still open");
            }
        }
        names.sort(null);
        assertEquals(List.of("_manifest.json", "part-00000", "part-00001", "part-00002", "part-00003"), names);
        try (CairnContext reader = CairnContext.builder().parallelism(2).build()) {
            long n = (long) PARTITIONS * RECORDS_PER_PARTITION;
            assertEquals(n * (n - 1) / 2, (long) reader.<byte[]>readCheckpoint(location).map(b -> ByteBuffer.wrap(b).getLong(0))
                    .reduce(Long::sum));
        }
    }

    /** Part files still being written: the store's temporary names, not yet published. */
    private static int temporaryParts(URI location) throws IOException {
        int n = 0;
        for (FileStatus s : hdfs.fs().listStatus(new Path(location))) {
            if (HadoopStorage.isTemporaryName(s.getPath().getName())) {
                n++;
            }
        }
        return n;
    }

    /** 1 KiB whose first 8 bytes are the key. */
    private static byte[] record(long key) {
        byte[] bytes = new byte[RECORD_BYTES];
        ByteBuffer.wrap(bytes).putLong(0, key);
        return bytes;
    }
}
