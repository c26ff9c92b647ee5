package dev.cairn.spark;

import dev.cairn.CairnException;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.config.CairnOptions;
import dev.cairn.spark.internal.CairnCheckpointRDD;
import dev.cairn.spark.internal.JvmStorage;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the lineage of an iterative Spark job short: hand it each new version of the job's
 * state with {@code update}; every {@code interval}-th update it checkpoints the state through
 * {@link CairnSpark} into {@code <directory>/checkpoint-<update>} and returns the checkpointed
 * version, which the loop carries on with. It keeps the newest {@code keep} checkpoints.
 *
 * <pre>{@code
 * SparkCheckpointer checkpointer = SparkCheckpointer.create("s3://bucket/pagerank", 5, 2);
 * for (int i = 1; i <= 50; i++) {
 *     ranks = step(links, ranks);
 *     ranks = checkpointer.update(ranks);   // every 5th: written, verified, lineage cut
 * }
 * checkpointer.close();
 * }</pre>
 *
 * <h2>Deleting</h2>
 * An older checkpoint is deleted only after a newer one has committed ({@code keep} newer
 * ones), and only once nothing reads it: the RDD over its files (and so every RDD or DataFrame
 * computed from it, a running job included) has been garbage collected. Spark's own periodic
 * checkpointer deletes files a live RDD may still read (SPARK-22150). Deletion removes the
 * manifest first, so a half-deleted checkpoint never looks committed. Retention is applied on
 * each {@code update} and by {@link #close()}; files still in use at {@code close} stay (their
 * locations are logged).
 *
 * <p>Not thread-safe: one loop drives one checkpointer.
 */
public final class SparkCheckpointer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SparkCheckpointer.class);

    private final String directory;
    private final int interval;
    private final int keep;
    /** Committed checkpoints not deleted yet, oldest first. */
    private final List<Entry> entries = new ArrayList<>();
    private int updates;

    private static final class Entry extends WeakReference<Object> {
        final String location;
        final CairnOptions options;
        boolean expired;

        Entry(String location, CairnCheckpointRDD<?> files) {
            super(files);
            this.location = location;
            this.options = files.options();
        }
    }

    private SparkCheckpointer(String directory, int interval, int keep) {
        this.directory = directory.endsWith("/") ? directory.substring(0, directory.length() - 1) : directory;
        this.interval = interval;
        this.keep = keep;
    }

    /**
     * A checkpointer writing under {@code directory}.
     *
     * @param interval checkpoint every {@code interval}-th update ({@code >= 1})
     * @param keep     how many of the newest checkpoints to keep ({@code >= 1})
     */
    public static SparkCheckpointer create(String directory, int interval, int keep) {
        if (interval < 1) {
            throw new CairnException("Cannot create checkpointer: " + directory + " (expected interval >= 1, found " + interval + ")");
        }
        if (keep < 1) {
            throw new CairnException("Cannot create checkpointer: " + directory + " (expected keep >= 1, found " + keep
                    + "; the newest checkpoint is what a restart resumes from)");
        }
        return new SparkCheckpointer(directory, interval, keep);
    }

    /** Counts an update of {@code rdd}; on every interval-th one returns it checkpointed, else as it is. */
    public <T> JavaRDD<T> update(JavaRDD<T> rdd) {
        if (!due()) {
            return rdd;
        }
        String location = nextLocation();
        return committed(location, CairnSpark.checkpointTracked(rdd, location));
    }

    /** As {@link #update(JavaRDD)}, keeping the partitioner. */
    public <K, V> JavaPairRDD<K, V> update(JavaPairRDD<K, V> rdd) {
        if (!due()) {
            return rdd;
        }
        String location = nextLocation();
        return committed(location, CairnSpark.checkpointTracked(rdd, location));
    }

    /** As {@link #update(JavaRDD)}, for a DataFrame (schema kept). */
    public Dataset<Row> update(Dataset<Row> df) {
        if (!due()) {
            return df;
        }
        String location = nextLocation();
        return committed(location, CairnSpark.checkpointTracked(df, location));
    }

    private boolean due() {
        updates++;
        return updates % interval == 0;
    }

    private String nextLocation() {
        return directory + "/" + String.format(Locale.ROOT, "checkpoint-%06d", updates);
    }

    private <R> R committed(String location, CairnSpark.Tracked<R> tracked) {
        entries.add(new Entry(location, tracked.files()));
        applyRetention();
        return tracked.result();
    }

    /** How many updates so far. */
    public int updateCount() {
        return updates;
    }

    /** The committed checkpoints whose files are still there (kept, or expired but still read), oldest first. */
    public List<String> checkpoints() {
        applyRetention();
        List<String> out = new ArrayList<>();
        for (Entry e : entries) {
            out.add(e.location);
        }
        return out;
    }

    /** The newest committed checkpoint, to resume from. */
    public Optional<String> lastCheckpoint() {
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1).location);
    }

    /** Applies retention one last time; checkpoints still read stay where they are. */
    @Override
    public void close() {
        applyRetention();
        for (Entry e : entries) {
            if (e.expired) {
                LOG.info("Checkpoint {} is past retention but still read by a live RDD; left in place", e.location);
            }
        }
    }

    private void applyRetention() {
        int expired = entries.size() - keep;
        for (int i = 0; i < expired; i++) {
            entries.get(i).expired = true;
        }
        for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.expired && e.get() == null) {
                delete(e);
                it.remove();
            }
        }
    }

    private static void delete(Entry e) {
        URI location = URI.create(e.location);
        try {
            Storage storage = JvmStorage.registry(e.options).storageFor(location);
            // the manifest first: from here on the location reads as uncommitted, never as committed with parts missing
            storage.delete(URI.create(e.location + "/" + CheckpointManifest.FILE_NAME));
            storage.delete(location);
            LOG.info("Deleted checkpoint {}", location);
        } catch (IOException | RuntimeException ex) {
            LOG.warn("Cannot delete checkpoint {}; `cairn gc` removes it later", location, ex);
        }
    }
}
