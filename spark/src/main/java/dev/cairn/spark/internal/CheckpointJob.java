package dev.cairn.spark.internal;

import dev.cairn.CheckpointException;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointOptions;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointSpec;
import dev.cairn.checkpoint.CheckpointWriter;
import dev.cairn.checkpoint.PartReceipt;
import dev.cairn.checkpoint.PartWriter;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.StorageRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.apache.spark.api.java.function.Function2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The one-job checkpoint protocol, on the driver:
 *
 * <ol>
 *   <li>{@link CheckpointWriter#create} refuses a location holding a committed checkpoint and
 *       clears uncommitted debris;</li>
 *   <li>ONE Spark job: each task computes its partition once, streams it through a
 *       {@link PartWriter} built from the shipped {@link CheckpointSpec} (storage from the
 *       executor's {@link JvmStorage}), publishes it without overwrite, and returns its
 *       {@link PartReceipt}. A retried or speculative attempt of a partition whose part another
 *       attempt already published gets that part's receipt; Spark keeps one result per
 *       partition, so the driver holds exactly one receipt per partition;</li>
 *   <li>the driver commits ({@code _partitioner}, then {@code _manifest.json} last), reloads
 *       (a listing that shows every part at its receipt's size, the partition count) and returns
 *       a {@link CairnCheckpointRDD} over the files, whose reads check each part's CRC32C on the
 *       executors; with {@code cairn.checkpoint.verify=checksum} a job on executors reads every
 *       part once before returning;</li>
 *   <li>if the job fails, the driver waits for the job's tasks to end (a killed task stops
 *       between records and never publishes) and aborts: nothing is committed and the parts are
 *       removed.</li>
 * </ol>
 *
 * Not API.
 */
public final class CheckpointJob {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointJob.class);
    /** How often (in records) a writing task checks whether Spark killed it. */
    private static final int KILL_CHECK_EVERY = 1024;
    /** How long a failed job's tasks get to end before the abort removes their files. */
    private static final long TASKS_END_TIMEOUT_MS = 60_000;

    /** What a record becomes in the file (e.g. a Tuple2 becomes a Cairn Pair); the identity for plain RDDs. */
    public interface RecordMapper extends Serializable {
        /** The record to store for {@code record}. */
        Object toStored(Object record);
    }

    private CheckpointJob() {
    }

    /**
     * Checkpoints {@code rdd} to {@code location} and returns an RDD over the committed files.
     *
     * @param mapper      what each record is stored as
     * @param partitioner the partitioner to keep ({@code _partitioner}), or none
     * @param metadata    extra manifest metadata (e.g. a DataFrame's schema)
     */
    public static <S> CairnCheckpointRDD<S> run(JavaRDD<?> rdd, String location, RecordMapper mapper,
                                                Option<Partitioner> partitioner, Map<String, String> metadata) {
        SparkContext sc = rdd.context();
        URI uri = SparkOptions.location(sc, location);
        CairnOptions options = SparkOptions.forLocation(sc, uri);
        String dataset = rdd.rdd().toString();
        // The driver never re-reads the parts: a Spark checkpoint may be terabytes. Its reload
        // checks that the listing shows every part at the size its receipt reported; the bytes
        // are checked against the CRC32C on every read, on executors. cairn.checkpoint.verify=
        // checksum asks for that read at once, before the lineage is dropped: a job on executors.
        boolean eagerChecksum = options.get(CheckpointOptions.VERIFY).map(v -> v.trim().equalsIgnoreCase("checksum")).orElse(false);
        Map<String, String> specOptions = new TreeMap<>(options.asMap());
        specOptions.put(CheckpointOptions.VERIFY, "size");
        CheckpointSpec spec = CheckpointSpec.builder(uri)
                .options(CairnOptions.of(specOptions))
                .dataset(dataset)
                .datasetId(rdd.id())
                .appName(sc.appName())
                .contextId(sc.applicationId())
                .build();
        StorageRegistry storage = JvmStorage.registry(options);
        CheckpointWriter writer = CheckpointWriter.create(storage, spec);
        int numPartitions = rdd.getNumPartitions();

        List<PartReceipt> receipts;
        try {
            receipts = writeParts(sc, rdd, spec, mapper, dataset, uri);
        } catch (Exception e) { // SparkException is a checked exception that Scala throws undeclared
            CheckpointException failure = e instanceof CheckpointException ? (CheckpointException) e
                    : new CheckpointException("write", dataset, uri, null, "expected a Spark job writing " + numPartitions
                            + " parts, found it failed: " + firstLine(e.getMessage()) + "; nothing was committed and its parts were removed", e);
            abort(writer, dataset, uri, failure);
            throw failure;
        }
        checkOnePerPartition(receipts, numPartitions, dataset, uri);

        Map<String, String> meta = new TreeMap<>(metadata);
        meta.put("engine", "spark");
        meta.put("spark.version", sc.version());
        try {
            writer.commit(receipts, numPartitions, Partitioners.toCheckpoint(partitioner), meta);
        } catch (RuntimeException e) {
            abort(writer, dataset, uri, e);
            throw e;
        }
        CheckpointReader reader = writer.reload();
        CairnCheckpointRDD<S> files = new CairnCheckpointRDD<>(sc, reader, options, partitioner);
        if (eagerChecksum) {
            verifyOnExecutors(sc, files, dataset, uri);
        }
        LOG.info("Checkpointed {} to {}: {} parts", dataset, uri, numPartitions);
        return files;
    }

    /** Reads every part on executors (the reader checks length, record count and CRC32C) and counts the records. */
    private static void verifyOnExecutors(SparkContext sc, CairnCheckpointRDD<?> files, String dataset, URI uri) {
        long expected = files.reader().manifest().parts().stream().mapToLong(CheckpointManifest.Part::records).sum();
        long read;
        try {
            read = files.toJavaRDD().count();
        } catch (Exception e) { // a SparkException carrying the reader's CheckpointException, which names the part
            throw new CheckpointException("verify", dataset, uri, null, "expected every part to read back as written, found: "
                    + firstLine(e.getMessage()) + "; the checkpoint is committed but damaged, write it again", e);
        }
        if (read != expected) {
            throw new CheckpointException("verify", dataset, uri, null, "expected " + expected + " records, found " + read
                    + "; the checkpoint is committed but damaged, write it again", null);
        }
    }

    private static List<PartReceipt> writeParts(SparkContext sc, JavaRDD<?> rdd, CheckpointSpec spec, RecordMapper mapper,
                                                String dataset, URI uri) {
        // A job group of our own, so that after a failure we can find this job's tasks and wait
        // for them to end before the abort removes what they wrote; the caller's group is restored.
        String group = "cairn-checkpoint-" + UUID.randomUUID();
        String[] keys = {"spark.jobGroup.id", "spark.job.description", "spark.job.interruptOnCancel"};
        String[] saved = new String[keys.length];
        for (int i = 0; i < keys.length; i++) {
            saved[i] = sc.getLocalProperty(keys[i]);
        }
        sc.setJobGroup(group, "Cairn checkpoint of " + dataset + " to " + uri, true);
        try {
            @SuppressWarnings({"unchecked", "rawtypes"})
            JavaRDD<Object> records = (JavaRDD) rdd;
            List<byte[]> results = records.mapPartitionsWithIndex(new WritePartition(spec, mapper), false).collect();
            List<PartReceipt> receipts = new ArrayList<>(results.size());
            for (byte[] r : results) {
                receipts.add(fromBytes(r));
            }
            return receipts;
        } catch (Exception e) { // rethrown as it is (a SparkException included): the caller wraps it
            awaitTasksEnded(sc, group);
            throw e;
        } finally {
            for (int i = 0; i < keys.length; i++) {
                sc.setLocalProperty(keys[i], saved[i]);
            }
        }
    }

    /** Waits (bounded) until no task of the jobs in {@code group} runs, so none publishes after the abort. */
    private static void awaitTasksEnded(SparkContext sc, String group) {
        JavaSparkStatusTracker tracker = JavaSparkContext.fromSparkContext(sc).statusTracker();
        sc.cancelJobGroup(group);
        long deadline = System.currentTimeMillis() + TASKS_END_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            int active = 0;
            for (int job : tracker.getJobIdsForGroup(group)) {
                SparkJobInfo info = tracker.getJobInfo(job);
                if (info == null) {
                    continue;
                }
                for (int stage : info.stageIds()) {
                    SparkStageInfo s = tracker.getStageInfo(stage);
                    active += s == null ? 0 : s.numActiveTasks();
                }
            }
            if (active == 0) {
                return;
            }
            try {
                Thread.sleep(50); // the status tracker offers no callback
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("Tasks of the failed checkpoint job {} still run after {} ms; files they publish later are debris that the"
                + " next checkpoint to this location, or `cairn gc`, removes", group, TASKS_END_TIMEOUT_MS);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static void abort(CheckpointWriter writer, String dataset, URI uri, RuntimeException failure) {
        try {
            writer.abort();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
            LOG.warn("Cannot remove the parts of the failed checkpoint of {} at {}", dataset, uri, e);
        }
    }

    /** Spark keeps one result per partition; this says so out loud before anything is committed. */
    private static void checkOnePerPartition(List<PartReceipt> receipts, int numPartitions, String dataset, URI uri) {
        int[] seen = new int[numPartitions];
        for (PartReceipt r : receipts) {
            if (r.partition() < 0 || r.partition() >= numPartitions) {
                throw new CheckpointException("commit", dataset, uri, r.file(), "expected a receipt for a partition in 0.."
                        + (numPartitions - 1) + ", found one for partition " + r.partition(), null);
            }
            seen[r.partition()]++;
        }
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < numPartitions; p++) {
            if (seen[p] != 1) {
                missing.add(p);
            }
        }
        if (!missing.isEmpty()) {
            throw new CheckpointException("commit", dataset, uri, null, "expected exactly one receipt per partition, found "
                    + "partitions " + missing + " with none or several", null);
        }
    }

    /** The task: write the partition through a PartWriter, publish it, return the receipt. */
    private static final class WritePartition implements Function2<Integer, Iterator<Object>, Iterator<byte[]>> {
        private static final long serialVersionUID = 1L;
        private final CheckpointSpec spec;
        private final RecordMapper mapper;

        WritePartition(CheckpointSpec spec, RecordMapper mapper) {
            this.spec = spec;
            this.mapper = mapper;
        }

        @Override
        public Iterator<byte[]> call(Integer partition, Iterator<Object> records) {
            TaskContext ctx = TaskContext.get();
            StorageRegistry storage = JvmStorage.registry(spec.options());
            try (PartWriter part = PartWriter.open(storage, spec, partition)) {
                long n = 0;
                while (records.hasNext()) {
                    part.write(mapper.toStored(records.next()));
                    if (++n % KILL_CHECK_EVERY == 0) {
                        stopIfKilled(ctx, partition);
                    }
                }
                // the last chance not to publish for a job that already failed
                stopIfKilled(ctx, partition);
                return Collections.singletonList(toBytes(part.commit())).iterator();
            }
        }

        private void stopIfKilled(TaskContext ctx, int partition) {
            if (ctx != null && ctx.isInterrupted()) {
                throw new TaskKilledException("killed while writing part " + partition + " of " + spec.location());
            }
        }
    }

    // Receipts travel as Java-serialized bytes: Spark serializes task results with the
    // application's serializer, and Spark's Kryo 4 cannot build a serializer for a record.
    private static byte[] toBytes(PartReceipt receipt) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(receipt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static PartReceipt fromBytes(byte[] bytes) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (PartReceipt) in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
