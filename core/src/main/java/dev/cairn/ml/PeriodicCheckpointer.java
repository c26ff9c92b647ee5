package dev.cairn.ml;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.CheckpointException;
import dev.cairn.CheckpointMode;
import dev.cairn.CheckpointState;
import dev.cairn.Dataset;
import dev.cairn.StorageLevel;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the lineage of an iterative job short: give it each new version of the job's datasets
 * with {@link #update}, and it persists them, checkpoints every N-th update, and deletes old
 * checkpoints, never before a newer one is committed.
 *
 * <pre>{@code
 * PeriodicCheckpointer<Pair<Integer, Double>> checkpointer = PeriodicCheckpointer.<Pair<Integer, Double>>builder(ctx)
 *         .interval(10).build();
 * KeyedDataset<Integer, Double> ranks = initial;
 * for (int i = 1; i <= iterations; i++) {
 *     ranks = step(ranks);
 *     checkpointer.update(ranks);   // persist; every 10th update: mark for a checkpoint
 *     ranks.count();                // the action that computes ranks also writes the checkpoint
 * }
 * checkpointer.deleteAllCheckpoints();
 * }</pre>
 *
 * <h2>What an update does</h2>
 * <ol>
 *   <li>Persists the datasets (at {@link Builder#storageLevel}, unless they are persisted
 *       already), and unpersists those of the update {@link Builder#keepPersisted} updates ago
 *       that it persisted itself: a new dataset is usually computed from the previous one, which
 *       must still be in the block store when the new one is first computed.</li>
 *   <li>On every {@link Builder#interval}-th update, marks the datasets for a reliable checkpoint
 *       ({@link CheckpointMode#LAZY} by default: the next action over them writes the files
 *       while it computes them; {@link CheckpointMode#EAGER} writes them before
 *       {@code update} returns).</li>
 *   <li>Applies retention: once a marked update is committed (every one of its datasets
 *       checkpointed), it counts as a checkpoint; of those, the newest {@link Builder#keep} are
 *       kept and older ones deleted. A checkpoint is therefore deleted only after a newer one
 *       has committed: if the newer one fails, the older one stays.</li>
 * </ol>
 *
 * <h2>Several datasets</h2>
 * Datasets updated together (e.g. the user and the item factors of ALS) go in one call,
 * {@link #update(List)}: they are checkpointed together and count as one checkpoint, committed
 * when all of them are. Retention never leaves a half of one update.
 *
 * <h2>Deleting</h2>
 * A deleted checkpoint's files are removed once its dataset has been garbage collected, or when
 * the context closes, whichever comes first ({@link Dataset#deleteCheckpoint()}): a dataset
 * that still reads them (a child computed from it, a variable of the caller) must keep working,
 * which Spark's periodic checkpointer did not ensure (SPARK-22150). A job that runs long
 * enough collects garbage, so old checkpoints go away while it runs.
 *
 * <p>Retention is applied by {@link #update}, {@link #lastCheckpoint()} and
 * {@link #checkpoints()}. Not thread-safe for concurrent updates of one instance; the methods
 * are synchronized so that reading {@link #lastCheckpoint()} from another thread is safe.
 *
 * @param <T> record type of the datasets (use {@code Object} to mix types in one update)
 */
public final class PeriodicCheckpointer<T> {
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicCheckpointer.class);

    private final CairnContext context;
    private final int interval;
    private final int keep;
    private final int keepPersisted;
    private final StorageLevel storageLevel;
    private final CheckpointMode mode;
    private final int maxInFlight;
    private final URI checkpointDir;
    private final Map<String, String> metadata;

    private int updates;
    /** Per update, the datasets this checkpointer persisted (and may therefore unpersist), oldest first. */
    private final Deque<List<Dataset<?>>> persisted = new ArrayDeque<>();
    /** Marked updates not committed yet, oldest first. */
    private final Deque<Generation> pending = new ArrayDeque<>();
    /** Committed updates being kept, oldest first. */
    private final Deque<Generation> retained = new ArrayDeque<>();
    /** Adopted checkpoints to delete that a live dataset still read at the last attempt. */
    private final List<URI> awaitingDelete = new ArrayList<>();

    private PeriodicCheckpointer(Builder<T> b) {
        this.context = b.context;
        this.interval = b.interval;
        this.keep = b.keep;
        this.keepPersisted = b.keepPersisted;
        this.storageLevel = b.persist ? b.storageLevel : null;
        this.mode = b.mode;
        this.maxInFlight = b.maxInFlight;
        this.checkpointDir = b.checkpointDir;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.updates = b.startAfter;
    }

    /**
     * A builder; {@link Builder#interval(int)} is required.
     *
     * @param context the context of the datasets to be updated
     */
    public static <T> Builder<T> builder(CairnContext context) {
        return new Builder<>(context);
    }

    /**
     * A committed checkpoint of one update.
     *
     * @param update    the number of the update that was checkpointed (the first update is 1)
     * @param locations the checkpoint directory of each dataset, in the order they were given
     * @param metadata  the metadata given with that update (and the builder's), as written to the manifests
     */
    public record Checkpoint(int update, List<URI> locations, Map<String, String> metadata) {

        /** Copies the collections. */
        public Checkpoint {
            locations = List.copyOf(locations);
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        /** The location of the first (for a single-dataset update: the only) dataset. */
        public URI location() {
            return locations.get(0);
        }
    }

    // ---------------------------------------------------------------- updates

    /**
     * Registers the next version of the dataset: persists it, marks it for a checkpoint on every
     * interval-th update, applies retention.
     *
     * @return whether this update was marked for a checkpoint
     * @throws CairnException      for a dataset of another context, or a closed context
     * @throws dev.cairn.CheckpointException when an eager checkpoint fails (the older checkpoints are kept)
     */
    public boolean update(Dataset<? extends T> dataset) {
        return update(List.of(notNull(dataset)), Map.of());
    }

    /**
     * {@link #update(Dataset)}, adding {@code metadata} to the manifest if this update is checkpointed.
     *
     * @return whether this update was marked for a checkpoint
     */
    public boolean update(Dataset<? extends T> dataset, Map<String, String> metadata) {
        return update(List.of(notNull(dataset)), metadata);
    }

    /**
     * Registers the next versions of several datasets that belong together (e.g. user and item
     * factors): they are persisted and checkpointed together, and count as one checkpoint.
     *
     * @return whether this update was marked for a checkpoint
     */
    public boolean update(List<? extends Dataset<? extends T>> datasets) {
        return update(datasets, Map.of());
    }

    /**
     * {@link #update(List)}, adding {@code metadata} to every manifest if this update is checkpointed.
     *
     * @return whether this update was marked for a checkpoint
     */
    public boolean update(List<? extends Dataset<? extends T>> datasets, Map<String, String> metadata) {
        Objects.requireNonNull(metadata, "metadata");
        List<Dataset<?>> list = checkDatasets(datasets);
        List<Map<String, String>> each = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            each.add(metadata);
        }
        return update(list, each, false);
    }

    /**
     * The update itself, with metadata per dataset; {@code force} checkpoints whatever the
     * interval (the resumable loop checkpoints its last iteration).
     */
    synchronized boolean update(List<Dataset<?>> datasets, List<Map<String, String>> metadataPerDataset, boolean force) {
        updates++;
        persist(datasets);
        boolean checkpoint = force || updates % interval == 0;
        if (checkpoint && mode == CheckpointMode.ASYNC) {
            awaitInFlight(maxInFlight - 1);
        }
        if (checkpoint) {
            Generation g = new Generation(updates, datasets, List.of(), mergedMetadata(metadataPerDataset.get(0)));
            pending.addLast(g);
            try {
                for (int i = 0; i < datasets.size(); i++) {
                    datasets.get(i).checkpoint(mode, mergedMetadata(metadataPerDataset.get(i)), checkpointDir);
                }
            } finally {
                // Also on failure: a part of this update that did commit must be tracked to be deleted in time.
                applyRetention();
            }
        } else {
            applyRetention();
        }
        return checkpoint;
    }

    private Map<String, String> mergedMetadata(Map<String, String> given) {
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.putAll(given);
        return all;
    }

    private List<Dataset<?>> checkDatasets(List<? extends Dataset<?>> datasets) {
        if (datasets == null || datasets.isEmpty()) {
            throw new CairnException("Cannot update periodic checkpointer: (expected at least one dataset, found "
                    + (datasets == null ? "null" : "an empty list") + ")");
        }
        List<Dataset<?>> list = new ArrayList<>(datasets.size());
        Set<Dataset<?>> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Dataset<?> d : datasets) {
            notNull(d);
            if (d.context() != context) {
                throw new CairnException("Cannot update periodic checkpointer with dataset " + d + ": (expected a dataset of " + context
                        + ", found one of " + d.context() + "; use one checkpointer per context)");
            }
            if (!seen.add(d)) {
                throw new CairnException("Cannot update periodic checkpointer with dataset " + d
                        + ": (expected distinct datasets, found it twice in one update)");
            }
            list.add(d);
        }
        return list;
    }

    private static <D> D notNull(D dataset) {
        if (dataset == null) {
            throw new CairnException("Cannot update periodic checkpointer: (expected a dataset, found null)");
        }
        return dataset;
    }

    private void persist(List<Dataset<?>> datasets) {
        if (storageLevel == null) {
            return;
        }
        List<Dataset<?>> mine = new ArrayList<>();
        for (Dataset<?> d : datasets) {
            if (d.storageLevel().isEmpty()) {
                d.persist(storageLevel);
                mine.add(d);
            }
        }
        persisted.addLast(mine);
        while (persisted.size() > keepPersisted) {
            List<Dataset<?>> old = persisted.removeFirst();
            Set<Dataset<?>> stillListed = Collections.newSetFromMap(new IdentityHashMap<>());
            persisted.forEach(stillListed::addAll);
            for (Dataset<?> d : old) {
                if (!stillListed.contains(d)) {
                    d.unpersist();
                }
            }
        }
    }

    // ---------------------------------------------------------------- retention

    /**
     * Moves committed updates from pending to retained, gives up marked updates older than a
     * committed one, and deletes retained checkpoints beyond {@link #keep}.
     */
    private void applyRetention() {
        retryAwaitingDelete();
        Generation newestCommitted = null;
        for (Generation g : pending) {
            if (g.committed()) {
                newestCommitted = g;
            }
        }
        if (newestCommitted == null) {
            return;
        }
        for (Iterator<Generation> it = pending.iterator(); it.hasNext(); ) {
            Generation g = it.next();
            if (g.update > newestCommitted.update) {
                break;
            }
            it.remove();
            if (g.committed()) {
                retained.addLast(g);
                LOG.debug("Checkpoint of update {} committed: {}", g.update, g.locations());
            } else {
                // A newer update committed first (this one failed or was never computed): not needed any more.
                LOG.info("Giving up the checkpoint of update {}: update {} committed since", g.update, newestCommitted.update);
                delete(g);
            }
        }
        while (retained.size() > keep) {
            Generation old = retained.removeFirst();
            LOG.info("Deleting the checkpoint of update {} (keeping the last {}): {}", old.update, keep, old.locations());
            delete(old);
        }
    }

    /**
     * Deletes a generation's checkpoints: those of live datasets once the datasets are
     * unreachable; adopted ones (read from an earlier process) now, or when no dataset reads them.
     */
    private void delete(Generation g) {
        for (Dataset<?> d : g.datasets) {
            try {
                d.deleteCheckpoint(); // committed: deferred until unreachable; only marked: the mark is dropped
            } catch (CairnException e) {
                // Being written by an action on another thread right now; it stays, like any checkpoint, until the context closes.
                LOG.warn("Cannot give up the checkpoint of {} while it is being written; it is left in place: {}", d, e.getMessage());
            }
        }
        for (URI location : g.adoptedLocations) {
            tryDelete(location);
        }
    }

    private void tryDelete(URI location) {
        try {
            context.deleteCheckpoint(location);
            awaitingDelete.remove(location);
        } catch (CairnException e) {
            // A dataset read from it is still live (e.g. the resumed state): try again on later updates.
            if (!awaitingDelete.contains(location)) {
                awaitingDelete.add(location);
            }
            LOG.debug("Deleting {} later: {}", location, e.getMessage());
        }
    }

    private void retryAwaitingDelete() {
        for (URI location : new ArrayList<>(awaitingDelete)) {
            tryDelete(location);
        }
    }

    /**
     * Counts a committed checkpoint written by an earlier process as retained, newest last, so
     * retention deletes it in its turn. For the resumable loop; call before the first update.
     */
    synchronized void adopt(int update, List<URI> locations, Map<String, String> metadata) {
        retained.addLast(new Generation(update, List.of(), List.copyOf(locations), metadata));
        while (retained.size() > keep) {
            delete(retained.removeFirst());
        }
    }

    // ---------------------------------------------------------------- asynchronous checkpoints

    /**
     * Waits until at most {@code allowed} marked updates are still being written in the
     * background, oldest first. A background failure is logged (the older checkpoints stay, the
     * failed update is given up once a newer one commits), not thrown: the loop goes on.
     */
    private void awaitInFlight(int allowed) {
        while (true) {
            List<Generation> inFlight = new ArrayList<>();
            for (Generation g : pending) {
                if (g.uploading()) {
                    inFlight.add(g);
                }
            }
            if (inFlight.size() <= allowed) {
                return;
            }
            Generation oldest = inFlight.get(0);
            try {
                oldest.await();
            } catch (CheckpointException e) {
                LOG.warn("The background checkpoint of update {} failed; the checkpoints before it are kept: {}", oldest.update,
                        e.getMessage());
            }
            applyRetention();
        }
    }

    /**
     * Waits for every checkpoint being written in the background ({@link CheckpointMode#ASYNC})
     * to be committed and verified, then applies retention. For the end of an iterative job.
     *
     * @throws CheckpointException the failure of the newest update whose background checkpoint failed
     */
    public synchronized void awaitCheckpoints() {
        CheckpointException failed = null;
        for (Generation g : new ArrayList<>(pending)) {
            if (g.uploading()) {
                try {
                    g.await();
                } catch (CheckpointException e) {
                    failed = e;
                }
            }
        }
        applyRetention();
        if (failed != null) {
            throw failed;
        }
    }

    // ---------------------------------------------------------------- queries and cleanup

    /** Number of updates so far (including those counted before a resume). */
    public synchronized int updateCount() {
        return updates;
    }

    /** The newest committed checkpoint, after applying retention. */
    public synchronized Optional<Checkpoint> lastCheckpoint() {
        applyRetention();
        Generation g = retained.peekLast();
        return g == null ? Optional.empty() : Optional.of(g.toCheckpoint());
    }

    /** The committed checkpoints kept, oldest first (at most {@link Builder#keep}), after applying retention. */
    public synchronized List<Checkpoint> checkpoints() {
        applyRetention();
        List<Checkpoint> out = new ArrayList<>();
        retained.forEach(g -> out.add(g.toCheckpoint()));
        return out;
    }

    /**
     * Deletes every checkpoint this checkpointer made or adopted, and drops marks not yet
     * written. The files go once no live dataset reads them (see the class comment).
     */
    public synchronized void deleteAllCheckpoints() {
        while (!pending.isEmpty()) {
            delete(pending.removeFirst());
        }
        while (!retained.isEmpty()) {
            delete(retained.removeFirst());
        }
        retryAwaitingDelete();
    }

    /** Unpersists every dataset this checkpointer persisted. */
    public synchronized void unpersistAll() {
        while (!persisted.isEmpty()) {
            persisted.removeFirst().forEach(Dataset::unpersist);
        }
    }

    @Override
    public synchronized String toString() {
        return "PeriodicCheckpointer[interval " + interval + ", keep " + keep + ", " + updates + " updates, "
                + retained.size() + " checkpoints kept, " + pending.size() + " pending]";
    }

    /** The datasets of one update, or the locations of an adopted checkpoint. */
    private static final class Generation {
        final int update;
        final List<Dataset<?>> datasets;
        final List<URI> adoptedLocations;
        final Map<String, String> metadata;

        Generation(int update, List<Dataset<?>> datasets, List<URI> adoptedLocations, Map<String, String> metadata) {
            this.update = update;
            this.datasets = List.copyOf(datasets);
            this.adoptedLocations = adoptedLocations;
            this.metadata = metadata;
        }

        /** Whether some dataset of it is being written in the background. */
        boolean uploading() {
            for (Dataset<?> d : datasets) {
                if (d.checkpointState() == CheckpointState.IN_PROGRESS) {
                    return true;
                }
            }
            return false;
        }

        /** Waits for its datasets' background checkpoints. */
        void await() {
            for (Dataset<?> d : datasets) {
                if (d.checkpointState() == CheckpointState.IN_PROGRESS) {
                    d.awaitCheckpoint();
                }
            }
        }

        boolean committed() {
            if (datasets.isEmpty()) {
                return true;
            }
            for (Dataset<?> d : datasets) {
                if (d.checkpointState() != CheckpointState.CHECKPOINTED || d.checkpointLocation().isEmpty()) {
                    return false;
                }
            }
            return true;
        }

        List<URI> locations() {
            if (datasets.isEmpty()) {
                return adoptedLocations;
            }
            List<URI> out = new ArrayList<>();
            for (Dataset<?> d : datasets) {
                d.checkpointLocation().ifPresent(out::add);
            }
            return out;
        }

        Checkpoint toCheckpoint() {
            return new Checkpoint(update, locations(), metadata);
        }
    }

    /** Settings for a {@link PeriodicCheckpointer}; setters validate at once. */
    public static final class Builder<T> {
        private final CairnContext context;
        private int interval;
        private int keep = 1;
        private int keepPersisted = 3;
        private boolean persist = true;
        private StorageLevel storageLevel = StorageLevel.MEMORY_AND_DISK;
        private CheckpointMode mode = CheckpointMode.LAZY;
        private int maxInFlight = 1;
        private URI checkpointDir;
        private Map<String, String> metadata = Map.of();
        private int startAfter;

        private Builder(CairnContext context) {
            if (context == null) {
                throw new CairnException("Cannot build periodic checkpointer: (expected a context, found null)");
            }
            this.context = context;
        }

        /** Checkpoint every {@code n}-th update (the n-th, 2n-th, …); required, at least 1. */
        public Builder<T> interval(int n) {
            this.interval = positive(n, "interval");
            return this;
        }

        /** How many committed checkpoints to keep, at least 1; default 1 (the newest). */
        public Builder<T> keep(int k) {
            this.keep = positive(k, "keep");
            return this;
        }

        /**
         * How many updates stay persisted, at least 1; default 3: the newest (maybe not computed
         * yet), the one it is computed from, and the one before, which algorithms that read two
         * versions back (graph algorithms) need.
         */
        public Builder<T> keepPersisted(int n) {
            this.keepPersisted = positive(n, "keepPersisted");
            return this;
        }

        /** The level datasets are persisted at; default {@link StorageLevel#MEMORY_AND_DISK}. */
        public Builder<T> storageLevel(StorageLevel level) {
            if (level == null) {
                throw new CairnException("Cannot set storage level of periodic checkpointer: (expected a level, found null; use persist(false) "
                        + "to not persist)");
            }
            this.storageLevel = level;
            return this;
        }

        /** Whether to persist updated datasets at all; default {@code true}. */
        public Builder<T> persist(boolean persist) {
            this.persist = persist;
            return this;
        }

        /**
         * When checkpoints are written; default {@link CheckpointMode#LAZY} (by the next action
         * over the datasets). With {@link CheckpointMode#ASYNC} the next action over them computes
         * and holds them, and they are written in the background while the job goes on; see
         * {@link #maxInFlight(int)} and {@link PeriodicCheckpointer#awaitCheckpoints()}.
         */
        public Builder<T> mode(CheckpointMode mode) {
            if (mode == null) {
                throw new CairnException("Cannot set checkpoint mode of periodic checkpointer: (expected LAZY, EAGER or ASYNC, found null)");
            }
            this.mode = mode;
            return this;
        }

        /**
         * With {@link CheckpointMode#ASYNC}: how many updates may be written in the background at
         * once, at least 1; default 1, so an update that checkpoints waits for the previous
         * checkpoint to commit. Bounds the memory held for uploads (each holds its datasets'
         * blocks); commits happen in update order whatever the bound.
         */
        public Builder<T> maxInFlight(int n) {
            this.maxInFlight = positive(n, "maxInFlight");
            return this;
        }

        /**
         * Where checkpoints go, instead of the context's checkpoint directory: a URI or a local
         * path (see {@link CairnContext#resolveLocation(String)}). Each checkpoint goes to
         * {@code <dir>/<contextId>/dataset-<id>/}.
         *
         * @throws CairnException for a scheme no storage of the context serves
         */
        public Builder<T> checkpointDir(String dir) {
            if (dir == null) {
                throw new CairnException("Cannot set checkpoint directory of periodic checkpointer: (expected a directory, found null)");
            }
            this.checkpointDir = context.resolveLocation(dir);
            return this;
        }

        /** Where checkpoints go, instead of the context's checkpoint directory. */
        public Builder<T> checkpointDir(URI dir) {
            if (dir == null) {
                throw new CairnException("Cannot set checkpoint directory of periodic checkpointer: (expected a URI, found null)");
            }
            this.checkpointDir = context.resolveLocation(dir);
            return this;
        }

        /** Entries added to the manifest of every checkpoint (e.g. the job's parameters). */
        public Builder<T> metadata(Map<String, String> metadata) {
            if (metadata == null) {
                throw new CairnException("Cannot set metadata of periodic checkpointer: (expected a map, found null)");
            }
            this.metadata = Map.copyOf(metadata);
            return this;
        }

        /** Counts updates from {@code n}, for a job resumed after update {@code n}. */
        Builder<T> startAfter(int n) {
            this.startAfter = n;
            return this;
        }

        /**
         * The checkpointer.
         *
         * @throws CairnException without an interval, or without a checkpoint directory (here or on the context)
         */
        public PeriodicCheckpointer<T> build() {
            if (interval == 0) {
                throw new CairnException("Cannot build periodic checkpointer: (expected an interval, found none; call interval(n))");
            }
            if (checkpointDir == null && context.checkpointDir().isEmpty()) {
                throw new CairnException("Cannot build periodic checkpointer: " + context + " (expected a checkpoint directory, found none;"
                        + " set one with CairnContext.builder().checkpointDir(\"file:///path\") or checkpointDir(...) on this builder)");
            }
            return new PeriodicCheckpointer<>(this);
        }

        private static int positive(int n, String what) {
            if (n <= 0) {
                throw new CairnException("Cannot set " + what + " of periodic checkpointer: (expected " + what + " > 0, found " + n + ")");
            }
            return n;
        }
    }
}
