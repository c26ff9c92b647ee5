package dev.cairn.ml;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.CheckpointException;
import dev.cairn.CheckpointMode;
import dev.cairn.CheckpointState;
import dev.cairn.Dataset;
import dev.cairn.KeyedDataset;
import dev.cairn.StorageLevel;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an iterative job over a state made of datasets, checkpointing the state into a run
 * directory every N iterations, so that a job killed at any point restarts from its last
 * committed checkpoint instead of from zero.
 *
 * <pre>{@code
 * ResumableLoop<KeyedDataset<Integer, Double>> loop = ResumableLoop.<Integer, Double>forKeyedDataset(ctx)
 *         .runDirectory("s3://bucket/runs/pagerank-2024-06-01")
 *         .checkpointInterval(10)
 *         .maxIterations(50)
 *         .metadata(Map.of("seed", "42"))
 *         .build();
 * ResumableLoop.Result<KeyedDataset<Integer, Double>> result =
 *         loop.run(() -> initialRanks(), (iteration, ranks) -> step(ranks));
 * }</pre>
 *
 * <h2>Iterations and checkpoints</h2>
 * The initial state is iteration 0; {@link Step#next} makes iteration {@code i} from iteration
 * {@code i - 1}, for {@code i} = 1 … {@code maxIterations}. After each step the state's
 * datasets are persisted, and after every {@code checkpointInterval}-th iteration and the last
 * one they are checkpointed eagerly into the run directory through a
 * {@link PeriodicCheckpointer}, each manifest's metadata holding the iteration number
 * ({@code cairn.loop.iteration}), the dataset's name in the state and the run's
 * {@link Builder#metadata metadata}. Older checkpoints are deleted once a newer one is committed,
 * keeping {@link Builder#keep} of them.
 *
 * <h2>Resuming</h2>
 * {@link #run} first reads the run directory: the newest iteration whose checkpoints are all
 * committed (every dataset of the state, written by one process) is restored through the
 * {@link StateCodec}, and the loop continues with the next iteration. A fresh or empty run
 * directory starts from the initial state. Before continuing, the loop removes what earlier,
 * dead processes left: checkpoint directories without a manifest (killed while writing),
 * files a manifest does not list, checkpoints of iterations it does not resume from that are
 * newer or incomplete, and old ones beyond {@code keep}. A checkpoint that cannot be opened
 * (a part missing) is skipped for the one before it. The run's metadata must equal the
 * metadata the checkpoint was written with, so a run is not continued with other parameters.
 *
 * <p>The result equals that of an uninterrupted run when the step is a deterministic function
 * of the iteration number and the state (take random seeds from the metadata and the
 * iteration number, not from the clock); checkpoints hold the exact records, in order.
 *
 * <h2>Rules</h2>
 * A run directory belongs to one run, and is used by one process at a time: on start the loop
 * deletes what other processes wrote there and did not commit. The context must not delete
 * checkpoints by itself ({@code cairn.checkpoint.cleanup-on-gc} and
 * {@code cairn.checkpoint.cleanup-on-close} must be {@code false}), or nothing would be left
 * to resume from.
 *
 * @param <S> the state: one or more datasets, taken apart and put together by a {@link StateCodec}
 */
public final class ResumableLoop<S> {
    /** Manifest metadata every checkpoint of a loop carries: the iteration after which the state was checkpointed. */
    public static final String METADATA_ITERATION = "cairn.loop.iteration";
    /** Manifest metadata: the name of the checkpointed dataset in the loop's state. */
    public static final String METADATA_DATASET = "cairn.loop.dataset";
    /** Manifest metadata: the names of every dataset of the state, comma separated, in order. */
    public static final String METADATA_DATASETS = "cairn.loop.datasets";
    private static final String CLEANUP_ON_GC = "cairn.checkpoint.cleanup-on-gc";
    private static final String CLEANUP_ON_CLOSE = "cairn.checkpoint.cleanup-on-close";
    private static final Logger LOG = LoggerFactory.getLogger(ResumableLoop.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final String SINGLE = "state";

    private final CairnContext context;
    private final StateCodec<S> codec;
    private final URI runDirectory;
    private final int interval;
    private final int maxIterations;
    private final int keep;
    private final boolean async;
    private final int maxInFlight;
    private final StorageLevel storageLevel;
    private final Map<String, String> metadata;
    private final IterationListener<S> listener;

    private ResumableLoop(Builder<S> b) {
        this.context = b.context;
        this.codec = b.codec;
        this.runDirectory = b.runDirectory;
        this.interval = b.interval;
        this.maxIterations = b.maxIterations;
        this.keep = b.keep;
        this.async = b.async;
        this.maxInFlight = b.maxInFlight;
        this.storageLevel = b.storageLevel;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.listener = b.listener;
    }

    /**
     * How a state is taken apart into named datasets to checkpoint, and put together again from
     * a checkpoint.
     *
     * @param <S> the state
     */
    public interface StateCodec<S> {

        /**
         * The datasets of {@code state} by name, in the order to checkpoint them (a dataset
         * computed from another is best listed after it). Names are made of letters, digits,
         * {@code _ . -} and must be the same for every state.
         */
        Map<String, Dataset<?>> datasets(S state);

        /** The state whose datasets {@code checkpoint} holds; read them with {@link LoopCheckpoint#dataset} or {@link LoopCheckpoint#keyedDataset}. */
        S restore(LoopCheckpoint checkpoint);
    }

    /**
     * One iteration.
     *
     * @param <S> the state
     */
    @FunctionalInterface
    public interface Step<S> {

        /**
         * The state after iteration {@code iteration} (1, 2, …) from the state before it. Build
         * it lazily; the loop persists and checkpoints it. For resumed runs to equal
         * uninterrupted ones, depend only on the arguments (and fixed data).
         */
        S next(int iteration, S state);
    }

    /**
     * Hears the loop's progress, on the thread that called {@link #run}.
     *
     * @param <S> the state
     */
    @FunctionalInterface
    public interface IterationListener<S> {

        /** Called once before the first iteration runs; {@code from} is the checkpoint resumed from, if any. */
        default void started(int firstIteration, int maxIterations, Optional<LoopCheckpoint> from) {
        }

        /**
         * Called after each iteration, once its state is persisted and, on checkpoint
         * iterations, committed ({@code checkpoint} is then present). With
         * {@link Builder#async(boolean) async} checkpoints, {@code checkpoint} is empty: the
         * checkpoint is being written in the background, and {@link #checkpointCommitted} tells
         * when it is committed. Actions run here over the state read the persisted partitions.
         */
        void iterationDone(int iteration, S state, Optional<LoopCheckpoint> checkpoint);

        /**
         * Called when the checkpoint of an iteration is committed and verified: right after that
         * iteration, or, with async checkpoints, as soon as the loop sees it committed (at the
         * latest before {@link ResumableLoop#run} returns). Nothing by default.
         */
        default void checkpointCommitted(LoopCheckpoint checkpoint) {
        }

        /**
         * Called after each iteration with the number of checkpoints being written in the
         * background (async checkpoints only), for progress output. Nothing by default.
         */
        default void uploadsInFlight(int iteration, int uploads) {
        }
    }

    /**
     * What {@link #run} returns.
     *
     * @param state       the state after {@code iteration}
     * @param iteration   the last iteration (= maxIterations, or the resumed one when it was already past that)
     * @param resumedFrom the iteration restored from the run directory, 0 when the run started from the initial state
     * @param <S>         the state
     */
    public record Result<S>(S state, int iteration, int resumedFrom) {
    }

    // ---------------------------------------------------------------- builders

    /**
     * A builder for a loop whose state {@code codec} takes apart and puts together.
     *
     * @param context the context to run in
     * @param codec   how the state maps to named datasets
     */
    public static <S> Builder<S> builder(CairnContext context, StateCodec<S> codec) {
        return new Builder<>(context, codec);
    }

    /** A builder for a loop whose state is one dataset. */
    public static <T> Builder<Dataset<T>> forDataset(CairnContext context) {
        return new Builder<>(context, new StateCodec<Dataset<T>>() {
            @Override
            public Map<String, Dataset<?>> datasets(Dataset<T> state) {
                return Map.of(SINGLE, state);
            }

            @Override
            public Dataset<T> restore(LoopCheckpoint checkpoint) {
                return checkpoint.dataset(SINGLE);
            }
        });
    }

    /** A builder for a loop whose state is one keyed dataset; it is restored with its partitioner. */
    public static <K, V> Builder<KeyedDataset<K, V>> forKeyedDataset(CairnContext context) {
        return new Builder<>(context, new StateCodec<KeyedDataset<K, V>>() {
            @Override
            public Map<String, Dataset<?>> datasets(KeyedDataset<K, V> state) {
                return Map.of(SINGLE, state);
            }

            @Override
            public KeyedDataset<K, V> restore(LoopCheckpoint checkpoint) {
                return checkpoint.keyedDataset(SINGLE);
            }
        });
    }

    // ---------------------------------------------------------------- running

    /** The run directory. */
    public URI runDirectory() {
        return runDirectory;
    }

    /**
     * The checkpoint {@link #run} would resume from now: the newest complete one in the run
     * directory. Reads only; deletes nothing and does not check the metadata.
     */
    public Optional<LoopCheckpoint> latestCheckpoint() {
        List<RunDirectory.Generation> complete = new RunDirectory(context, runDirectory).scan().complete();
        return complete.isEmpty() ? Optional.empty() : Optional.of(complete.get(0).toCheckpoint(context, runDirectory));
    }

    /**
     * Runs the loop to {@code maxIterations}, resuming from the run directory's last committed
     * checkpoint when there is one.
     *
     * @param initial makes the state of iteration 0; called only when there is nothing to resume from
     * @param step    makes each iteration's state from the previous one
     * @throws CairnException when the run directory's checkpoints were written with other
     *                        metadata, a step returns {@code null} or names its datasets
     *                        differently, or a checkpoint cannot be written
     */
    public Result<S> run(Supplier<? extends S> initial, Step<S> step) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(step, "step");
        RunDirectory dir = new RunDirectory(context, runDirectory);
        RunDirectory.Scan scan = dir.scan();

        for (RunDirectory.Generation g : scan.generations()) {
            checkMetadata(g); // before deleting anything: a mismatch means the wrong directory or the wrong parameters
        }
        dir.removeDebris();

        RunDirectory.Generation from = null;
        S state = null;
        for (RunDirectory.Generation g : scan.complete()) {
            if (g.contextDir().equals(context.contextId())) {
                continue; // written by an earlier run() of this context: not a crash to recover from
            }
            try {
                state = codec.restore(g.toCheckpoint(context, runDirectory));
            } catch (CheckpointException e) {
                LOG.warn("Cannot resume {} from iteration {}, trying an earlier checkpoint: {}", runDirectory, g.iteration(), e.getMessage());
                continue;
            }
            if (state == null) {
                throw new CairnException("Cannot resume run: " + runDirectory + " (expected the codec to restore the state of iteration "
                        + g.iteration() + ", found null)");
            }
            from = g;
            break;
        }
        List<RunDirectory.Generation> older = dir.removeGenerations(scan, from, keep - 1);

        PeriodicCheckpointer<Object> checkpointer = PeriodicCheckpointer.builder(context)
                .interval(interval)
                .keep(keep)
                .storageLevel(storageLevel)
                .mode(async ? CheckpointMode.ASYNC : CheckpointMode.EAGER)
                .maxInFlight(maxInFlight)
                .checkpointDir(runDirectory)
                .startAfter(from == null ? 0 : from.iteration())
                .build();
        for (RunDirectory.Generation g : older) {
            checkpointer.adopt(g.iteration(), new ArrayList<>(g.locations().values()), g.userMetadata());
        }
        int start;
        Optional<LoopCheckpoint> resumed;
        List<String> names;
        if (from == null) {
            start = 0;
            resumed = Optional.empty();
            state = initial.get();
            if (state == null) {
                throw new CairnException("Cannot start run: " + runDirectory + " (expected an initial state, found null)");
            }
            names = names(codec.datasets(state), 0, null);
            LOG.info("Starting run {} from the initial state, {} iterations, checkpoint every {}", runDirectory, maxIterations, interval);
        } else {
            start = from.iteration();
            resumed = Optional.of(from.toCheckpoint(context, runDirectory));
            checkpointer.adopt(from.iteration(), new ArrayList<>(from.locations().values()), from.userMetadata());
            names = from.names();
            LOG.info("Resuming run {} from iteration {} ({})", runDirectory, start, from.locations().values());
        }
        listener.started(start + 1, maxIterations, resumed);

        for (int i = start + 1; i <= maxIterations; i++) {
            S next = step.next(i, state);
            if (next == null) {
                throw new CairnException("Cannot run iteration " + i + ": " + runDirectory + " (expected the step to return a state, found null)");
            }
            Map<String, Dataset<?>> datasets = codec.datasets(next);
            names(datasets, i, names);
            List<Dataset<?>> list = new ArrayList<>();
            List<Map<String, String>> perDataset = new ArrayList<>();
            for (String name : names) {
                list.add(datasets.get(name));
                Map<String, String> m = new LinkedHashMap<>(metadata);
                m.put(RunDirectory.ITERATION, Integer.toString(i));
                m.put(RunDirectory.DATASET, name);
                m.put(RunDirectory.DATASETS, String.join(",", names));
                perDataset.add(m);
            }
            if (i % interval == 0 || i == maxIterations) {
                for (int d = 0; d < list.size(); d++) {
                    if (list.get(d).checkpointState() != CheckpointState.NONE) {
                        // Its manifest would carry another iteration (or none): this iteration could never be resumed from.
                        throw new CairnException("Cannot checkpoint the state of iteration " + i + ": " + runDirectory + " (expected new"
                                + " datasets from the step, found '" + names.get(d) + "' = " + list.get(d) + " already "
                                + list.get(d).checkpointState().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                                + "; return a new dataset, e.g. mapValues(v -> v), for a part that does not change)");
                    }
                }
            }
            boolean checkpointed = checkpointer.update(list, perDataset, i == maxIterations);
            Optional<LoopCheckpoint> written = Optional.empty();
            if (checkpointed && async) {
                for (Dataset<?> d : list) {
                    d.count(); // computes and holds the state now; the upload starts in the background
                }
                uploading.add(new Upload(i, List.copyOf(list), List.copyOf(names)));
            } else if (checkpointed) {
                written = Optional.of(loopCheckpoint(i, list, names));
                listener.checkpointCommitted(written.get());
            }
            reportCommitted(listener, false);
            listener.iterationDone(i, next, written);
            if (async) {
                listener.uploadsInFlight(i, uploading.size());
            }
            state = next;
        }
        if (async) {
            checkpointer.awaitCheckpoints(); // the last iteration's checkpoint is committed before run() returns
            reportCommitted(listener, true);
        }
        return new Result<>(state, Math.max(start, maxIterations), start);
    }

    /** An iteration whose checkpoint is being written in the background. */
    private record Upload(int iteration, List<Dataset<?>> datasets, List<String> names) {
        boolean committed() {
            return datasets.stream().allMatch(Dataset::isCheckpointed);
        }
    }

    private final List<Upload> uploading = new ArrayList<>();

    /** Reports the background checkpoints committed since the last call, in iteration order; at the end, forgets the rest. */
    private void reportCommitted(IterationListener<S> listener, boolean end) {
        for (java.util.Iterator<Upload> it = uploading.iterator(); it.hasNext(); ) {
            Upload u = it.next();
            if (u.committed()) {
                listener.checkpointCommitted(loopCheckpoint(u.iteration(), u.datasets(), u.names()));
                it.remove();
            } else if (end || u.datasets().stream().noneMatch(d -> d.checkpointState() == CheckpointState.IN_PROGRESS)) {
                it.remove(); // failed (logged by the checkpointer) or given up for a newer one
            } else {
                break; // commits happen in order: nothing after this one is committed yet
            }
        }
    }

    private LoopCheckpoint loopCheckpoint(int iteration, List<Dataset<?>> list, List<String> names) {
        Map<String, URI> locations = new LinkedHashMap<>();
        for (int d = 0; d < names.size(); d++) {
            locations.put(names.get(d), list.get(d).checkpointLocation().orElseThrow());
        }
        return new LoopCheckpoint(context, runDirectory, iteration, context.contextId(), locations, metadata, java.time.Instant.now());
    }

    /** Checks and returns the state's dataset names; from the second state on, they must equal {@code expected}. */
    private List<String> names(Map<String, Dataset<?>> datasets, int iteration, List<String> expected) {
        if (datasets == null || datasets.isEmpty()) {
            throw new CairnException("Cannot checkpoint the state of iteration " + iteration + ": " + runDirectory
                    + " (expected the codec to name at least one dataset, found none)");
        }
        List<String> names = new ArrayList<>(datasets.keySet());
        for (String n : names) {
            if (!NAME.matcher(n).matches()) {
                throw new CairnException("Cannot checkpoint the state of iteration " + iteration + ": " + runDirectory
                        + " (expected dataset names of letters, digits, '_', '.', '-', found '" + n + "')");
            }
            if (datasets.get(n) == null) {
                throw new CairnException("Cannot checkpoint the state of iteration " + iteration + ": " + runDirectory
                        + " (expected a dataset named '" + n + "', found null)");
            }
        }
        if (expected != null && !new java.util.HashSet<>(expected).equals(new java.util.HashSet<>(names))) {
            throw new CairnException("Cannot checkpoint the state of iteration " + iteration + ": " + runDirectory
                    + " (expected datasets " + expected + " as in earlier iterations, found " + names + ")");
        }
        return expected != null ? expected : names;
    }

    private void checkMetadata(RunDirectory.Generation g) {
        Map<String, String> found = g.userMetadata();
        if (!found.equals(metadata)) {
            List<String> diffs = new ArrayList<>();
            java.util.Set<String> keys = new java.util.TreeSet<>(metadata.keySet());
            keys.addAll(found.keySet());
            for (String k : keys) {
                if (!Objects.equals(metadata.get(k), found.get(k))) {
                    diffs.add(k + "=" + metadata.get(k) + " given, " + k + "=" + found.get(k) + " in the checkpoint");
                }
            }
            throw new CairnException("Cannot resume run: " + runDirectory + " (expected the metadata the run was started with, found "
                    + String.join("; ", diffs) + " of iteration " + g.iteration()
                    + "; pass the same parameters, or use a new run directory)");
        }
    }

    @Override
    public String toString() {
        return "ResumableLoop[" + runDirectory + ", " + maxIterations + " iterations, checkpoint every " + interval + "]";
    }

    /** Settings for a {@link ResumableLoop}; run directory, interval and iterations are required. */
    public static final class Builder<S> {
        private final CairnContext context;
        private final StateCodec<S> codec;
        private URI runDirectory;
        private int interval;
        private int maxIterations = -1;
        private int keep = 2;
        private boolean async;
        private int maxInFlight = 1;
        private StorageLevel storageLevel = StorageLevel.MEMORY_AND_DISK;
        private Map<String, String> metadata = Map.of();
        private IterationListener<S> listener = (i, s, c) -> { };

        private Builder(CairnContext context, StateCodec<S> codec) {
            if (context == null || codec == null) {
                throw new CairnException("Cannot build resumable loop: (expected a context and a state codec, found "
                        + (context == null ? "no context" : "no codec") + ")");
            }
            this.context = context;
            this.codec = codec;
        }

        /** The run directory, a URI or a local path; one per run, reused to resume it. */
        public Builder<S> runDirectory(String dir) {
            if (dir == null) {
                throw new CairnException("Cannot set run directory of resumable loop: (expected a directory, found null)");
            }
            this.runDirectory = context.resolveLocation(dir);
            return this;
        }

        /** The run directory; one per run, reused to resume it. */
        public Builder<S> runDirectory(URI dir) {
            if (dir == null) {
                throw new CairnException("Cannot set run directory of resumable loop: (expected a URI, found null)");
            }
            this.runDirectory = context.resolveLocation(dir);
            return this;
        }

        /** Checkpoint after every {@code n}-th iteration (and after the last); at least 1. */
        public Builder<S> checkpointInterval(int n) {
            if (n <= 0) {
                throw new CairnException("Cannot set checkpoint interval of resumable loop: (expected interval > 0, found " + n + ")");
            }
            this.interval = n;
            return this;
        }

        /** The iteration to stop after; at least 0. */
        public Builder<S> maxIterations(int n) {
            if (n < 0) {
                throw new CairnException("Cannot set max iterations of resumable loop: (expected maxIterations >= 0, found " + n + ")");
            }
            this.maxIterations = n;
            return this;
        }

        /**
         * Whether checkpoints are written in the background ({@link CheckpointMode#ASYNC}) while
         * the next iterations run; default {@code false}. The state of a checkpoint iteration is
         * computed and held in the block store, then uploaded; at most {@link #maxInFlight} are
         * in flight (the next checkpoint iteration waits for the oldest), commits happen in
         * iteration order, and {@link ResumableLoop#run} returns once the last one is committed.
         * A kill during an upload resumes from the newest committed checkpoint.
         */
        public Builder<S> async(boolean async) {
            this.async = async;
            return this;
        }

        /** With {@link #async(boolean)}: how many checkpoints may be written at once, at least 1; default 1. */
        public Builder<S> maxInFlight(int n) {
            if (n <= 0) {
                throw new CairnException("Cannot set maxInFlight of resumable loop: (expected maxInFlight > 0, found " + n + ")");
            }
            this.maxInFlight = n;
            return this;
        }

        /** How many committed checkpoints to keep, at least 1; default 2 (the newest, and one to fall back on). */
        public Builder<S> keep(int k) {
            if (k <= 0) {
                throw new CairnException("Cannot set keep of resumable loop: (expected keep > 0, found " + k + ")");
            }
            this.keep = k;
            return this;
        }

        /** The level each iteration's datasets are persisted at; default {@link StorageLevel#MEMORY_AND_DISK}. */
        public Builder<S> storageLevel(StorageLevel level) {
            if (level == null) {
                throw new CairnException("Cannot set storage level of resumable loop: (expected a level, found null)");
            }
            this.storageLevel = level;
            return this;
        }

        /**
         * The run's parameters (e.g. the random seed, data sizes), written to every checkpoint and
         * checked on resume: a run directory is only resumed with the metadata it was started
         * with. Keys may not start with {@code cairn.loop.}.
         */
        public Builder<S> metadata(Map<String, String> metadata) {
            if (metadata == null) {
                throw new CairnException("Cannot set metadata of resumable loop: (expected a map, found null)");
            }
            for (String k : metadata.keySet()) {
                if (k.startsWith(RunDirectory.PREFIX)) {
                    throw new CairnException("Cannot set metadata of resumable loop: (expected keys outside " + RunDirectory.PREFIX
                            + "*, found '" + k + "'; the loop writes those itself)");
                }
            }
            this.metadata = new LinkedHashMap<>(metadata);
            return this;
        }

        /** Hears each iteration (progress, metrics); default: nothing. */
        public Builder<S> listener(IterationListener<S> listener) {
            if (listener == null) {
                throw new CairnException("Cannot set listener of resumable loop: (expected a listener, found null)");
            }
            this.listener = listener;
            return this;
        }

        /**
         * The loop.
         *
         * @throws CairnException when a required setting is missing, the run directory's scheme
         *                        has no storage, or the context deletes checkpoints on its own
         */
        public ResumableLoop<S> build() {
            if (runDirectory == null) {
                throw new CairnException("Cannot build resumable loop: (expected a run directory, found none; call runDirectory(uri))");
            }
            if (interval == 0) {
                throw new CairnException("Cannot build resumable loop: " + runDirectory
                        + " (expected a checkpoint interval, found none; call checkpointInterval(n))");
            }
            if (maxIterations < 0) {
                throw new CairnException("Cannot build resumable loop: " + runDirectory
                        + " (expected a number of iterations, found none; call maxIterations(n))");
            }
            boolean onGc = context.options().getBoolean(CLEANUP_ON_GC, false);
            if (onGc || context.options().getBoolean(CLEANUP_ON_CLOSE, false)) {
                String key = onGc ? CLEANUP_ON_GC : CLEANUP_ON_CLOSE;
                throw new CairnException("Cannot build resumable loop: " + runDirectory + " (expected " + key + "=false, found true;"
                        + " a context that deletes its checkpoints by itself leaves nothing to resume from)");
            }
            return new ResumableLoop<>(this);
        }
    }
}
