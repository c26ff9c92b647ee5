package dev.cairn.storage.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.CheckpointException;
import dev.cairn.CheckpointMode;
import dev.cairn.CheckpointState;
import dev.cairn.CorruptPartException;
import dev.cairn.Dataset;
import dev.cairn.HashPartitioner;
import dev.cairn.IncompatibleCheckpointException;
import dev.cairn.KeyedDataset;
import dev.cairn.ListingTimeoutException;
import dev.cairn.MissingPartException;
import dev.cairn.Pair;
import dev.cairn.PartitionCountMismatchException;
import dev.cairn.StorageLevel;
import dev.cairn.TaskFailedException;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointOptions;
import dev.cairn.checkpoint.CheckpointStats;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.faults.FaultInjectingStorage;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checkpoint contract every storage backend must keep, run through Cairn's public API:
 * write-through without recompute, the commit protocol, reload and verification, reading from
 * another context, and clear errors for corrupt, truncated, missing and extra files. Tests that
 * make sense for both kinds of checkpoint run once per {@link Kind}, as Spark's CheckpointSuite
 * runs reliable and local.
 *
 * <p>A backend module subclasses it, supplying its provider, a fresh checkpoint directory per
 * test, and the options its storage needs. The suite wraps the provider to inject faults
 * ({@link FaultInjectingStorage}) and tampers with files through the backend's own
 * {@link Storage}, so it needs nothing but the SPI.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
public abstract class CheckpointContractTest {

    /** The kinds of checkpoint. */
    public enum Kind {
        /** {@code checkpoint()}: files on the backend under test. */
        RELIABLE,
        /** {@code localCheckpoint()}: blocks in this process. */
        LOCAL,
        /** {@code checkpoint(ASYNC)}: files on the backend under test, written in the background. */
        ASYNC
    }

    /** Records per test dataset; partitions get a few hundred each. */
    protected static final int RECORDS = 2_000;
    /** Partitions of the test datasets. */
    protected static final int PARTITIONS = 8;

    private URI checkpointDir;
    private Storage raw;
    private final List<CairnContext> contexts = new ArrayList<>();

    /** The provider of the backend under test. */
    protected abstract StorageProvider provider();

    /** A fresh, empty directory on the backend for one test. */
    protected abstract URI newCheckpointDirectory() throws Exception;

    /** Options the backend needs (endpoint, credentials, …). */
    protected Map<String, String> options() {
        return Map.of();
    }

    /** The scheme of the backend's URIs. */
    protected String scheme() {
        return checkpointDir.getScheme();
    }

    @BeforeEach
    void openRawStorage() throws Exception {
        checkpointDir = newCheckpointDirectory();
        raw = provider().open(scheme(), CairnOptions.of(options()));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (CairnContext c : contexts) {
            c.close();
        }
        contexts.clear();
        raw.close();
    }

    /** This test's checkpoint directory. */
    protected final URI checkpointDir() {
        return checkpointDir;
    }

    /** The backend's storage, outside any context: for looking at and tampering with files. */
    protected final Storage raw() {
        return raw;
    }

    /** A context on the backend (closed after the test), with extra options. */
    protected final CairnContext context(Map<String, String> extra, StorageProvider provider, CheckpointListener listener) {
        Map<String, String> all = new HashMap<>(options());
        all.putAll(extra);
        CairnContext.Builder b = CairnContext.builder().appName("tck").parallelism(4).checkpointDir(checkpointDir).options(all)
                .storageProvider(provider);
        if (listener != null) {
            b.checkpointListener(listener);
        }
        CairnContext c = b.build();
        contexts.add(c);
        return c;
    }

    /** A context on the backend as it is. */
    protected final CairnContext context() {
        return context(Map.of(), provider(), null);
    }

    /** A provider serving the backend's scheme through a fault injector that the test arms. */
    protected final StorageProvider faulty(AtomicReference<FaultInjectingStorage> handle, Duration listingDelay) {
        return faulty(handle, listingDelay, false);
    }

    /**
     * {@link #faulty(AtomicReference, Duration)}; with {@code remote}, the injector reports that
     * reads may come from another copy than the writer's ({@link FaultInjectingStorage#wrapAsRemote}).
     */
    protected final StorageProvider faulty(AtomicReference<FaultInjectingStorage> handle, Duration listingDelay, boolean remote) {
        StorageProvider real = provider();
        return new StorageProvider() {
            @Override
            public Set<String> schemes() {
                return real.schemes();
            }

            @Override
            public Set<String> optionKeys() {
                return real.optionKeys();
            }

            @Override
            public Storage open(String scheme, CairnOptions options) {
                FaultInjectingStorage f = remote ? FaultInjectingStorage.wrapAsRemote(real.open(scheme, options))
                        : FaultInjectingStorage.wrap(real.open(scheme, options), listingDelay);
                handle.set(f);
                return f;
            }
        };
    }

    private static Dataset<Long> numbers(CairnContext ctx, AtomicLong calls) {
        return ctx.range(0, RECORDS, PARTITIONS).map(x -> {
            calls.incrementAndGet();
            return x * 3;
        });
    }

    private static long expectedSum() {
        long s = 0;
        for (long x = 0; x < RECORDS; x++) {
            s += x * 3;
        }
        return s;
    }

    /**
     * Marks {@code ds}. An async checkpoint has no eager form: for {@code EAGER} it is marked,
     * materialized by an action, and awaited, which is what an eager checkpoint does at once.
     */
    private static <T> Dataset<T> mark(Dataset<T> ds, Kind kind, CheckpointMode mode) {
        switch (kind) {
            case RELIABLE:
                return ds.checkpoint(mode);
            case LOCAL:
                return ds.localCheckpoint(mode);
            default:
                ds.checkpoint(CheckpointMode.ASYNC);
                if (mode == CheckpointMode.EAGER) {
                    ds.count();
                    ds.awaitCheckpoint();
                }
                return ds;
        }
    }

    /** After the action that writes a checkpoint: an async one is awaited (the others are done already). */
    private static void settle(Kind kind, Dataset<?>... datasets) {
        if (kind == Kind.ASYNC) {
            for (Dataset<?> d : datasets) {
                d.awaitCheckpoint();
            }
        }
    }

    private List<String> namesIn(URI dir) throws IOException {
        return raw.list(dir).stream().map(FileStatus::name).sorted().collect(Collectors.toList());
    }

    private byte[] read(URI file) throws IOException {
        try (InputStream in = raw.open(file)) {
            return in.readAllBytes();
        }
    }

    private void overwrite(URI file, byte[] data) throws IOException {
        try (StorageOutput out = raw.create(file, true)) {
            out.write(data);
            out.commit();
        }
    }

    private static URI part(URI location, int i) {
        return CheckpointLayout.child(location, CheckpointManifest.partName(i));
    }

    private static void assertNamed(CheckpointException e, URI location, String file) {
        assertEquals(location, e.location(), e.getMessage());
        assertEquals(file, e.file(), e.getMessage());
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains(location.toString())
                && e.getMessage().contains("expected") && e.getMessage().contains("found"), e.getMessage());
    }

    // ------------------------------------------------------------------ both kinds

    @ParameterizedTest
    @EnumSource(Kind.class)
    void lazyCheckpointIsWrittenByTheNextActionWhichComputesEachRecordOnce(Kind kind) throws IOException {
        CairnContext ctx = context();
        AtomicLong calls = new AtomicLong();
        Dataset<Long> ds = mark(numbers(ctx, calls), kind, CheckpointMode.LAZY);
        assertEquals(CheckpointState.MARKED, ds.checkpointState());
        assertEquals(0, calls.get(), "marking computes nothing");
        assertTrue(namesIn(CheckpointLayout.contextDirectory(checkpointDir, ctx.contextId())).isEmpty(), "a lazy mark writes nothing");

        assertEquals(RECORDS, ds.count());
        settle(kind, ds);
        assertEquals(RECORDS, calls.get(), "write-through: the checkpointed dataset is computed once, not twice (SPARK-8582)");
        assertTrue(ds.isCheckpointed());
        assertEquals(expectedSum(), ds.reduce(Long::sum));
        assertEquals(RECORDS, calls.get(), "after the cut, records come from the checkpoint");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void eagerCheckpointIsWrittenBeforeItReturns(Kind kind) throws IOException {
        CairnContext ctx = context();
        AtomicLong calls = new AtomicLong();
        Dataset<Long> ds = mark(numbers(ctx, calls), kind, CheckpointMode.EAGER);
        assertTrue(ds.isCheckpointed());
        assertEquals(RECORDS, calls.get());
        if (kind != Kind.LOCAL) {
            List<String> names = namesIn(ds.checkpointLocation().orElseThrow());
            assertTrue(names.contains(CheckpointManifest.FILE_NAME), names.toString());
            assertEquals(PARTITIONS, names.stream().filter(n -> n.startsWith("part-")).count(), names.toString());
        }
        assertEquals(RECORDS, ds.count());
        assertEquals(RECORDS, calls.get());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void checkpointCutsTheLineage(Kind kind) {
        CairnContext ctx = context();
        Dataset<Long> ds = ctx.range(0, 100, 4);
        for (int i = 0; i < 10; i++) {
            ds = ds.map(x -> x + 1);
        }
        assertEquals(11, ds.lineageDepth());
        mark(ds, kind, CheckpointMode.EAGER);
        assertEquals(2, ds.lineageDepth(), ds.lineage());
        assertEquals(1, ds.parents().size());
        String expectedSource = kind != Kind.LOCAL ? "ReliableCheckpointDataset" : "LocalCheckpointDataset";
        assertTrue(ds.parents().get(0).lineage().startsWith(expectedSource + "["), ds.parents().get(0).lineage());
        String[] lines = ds.lineage().split("\n");
        assertEquals(2, lines.length, ds.lineage());
        assertTrue(lines[0].contains("checkpointed"), ds.lineage());
        assertTrue(lines[1].startsWith("  " + expectedSource + "["), ds.lineage());
        Dataset<Long> next = ds.map(x -> x * 2);
        assertEquals(3, next.lineageDepth());
        assertEquals(List.of(20L, 22L), next.take(2));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void keyedShuffledDatasetKeepsItsPartitionerSoLaterJoinsNeedNoShuffle(Kind kind) {
        CairnContext ctx = context();
        HashPartitioner p = new HashPartitioner(5);
        KeyedDataset<Long, Long> sums = ctx.range(0, RECORDS, PARTITIONS).keyBy(x -> x % 50).reduceByKey(p, Long::sum);
        mark(sums, kind, CheckpointMode.EAGER);
        assertEquals(p, sums.partitioner().orElseThrow());
        assertEquals(p, sums.parents().get(0).partitioner().orElseThrow(), "the checkpoint source keeps the partitioner");
        KeyedDataset<Long, Long> other = ctx.range(0, 50, 2).keyBy(x -> x).partitionBy(p);
        KeyedDataset<Long, Pair<Long, Long>> joined = sums.join(other);
        Dataset<?> cogroup = joined.parents().get(0);
        assertTrue(cogroup.lineage().startsWith("CoGroupedDataset["), joined.lineage());
        assertFalse(cogroup.lineage().contains("\n  (shuffle) "), "both sides are read without a shuffle: " + joined.lineage());
        Map<Long, Long> expected = new HashMap<>();
        for (long x = 0; x < RECORDS; x++) {
            expected.merge(x % 50, x, Long::sum);
        }
        Map<Long, Long> got = new HashMap<>();
        for (Pair<Long, Pair<Long, Long>> kv : joined.collect()) {
            got.put(kv.key(), kv.value().key());
        }
        assertEquals(expected, got);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void unionOfCheckpointedAndPlainData(Kind kind) {
        CairnContext ctx = context();
        Dataset<String> words = ctx.parallelize(List.of("ash", "birch", "cedar", "elm", "fir"), 2).map(String::toUpperCase);
        Dataset<String> union = words.union(ctx.parallelize(List.of("oak", "pine"), 3));
        mark(union, kind, CheckpointMode.LAZY);
        assertEquals(List.of("ASH", "BIRCH", "CEDAR", "ELM", "FIR", "oak", "pine"), union.collect());
        settle(kind, union);
        assertTrue(union.isCheckpointed());
        assertEquals(5, union.numPartitions());
        assertEquals(List.of("ASH", "BIRCH", "CEDAR", "ELM", "FIR", "oak", "pine"), union.collect());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void cachedDatasetIsCheckpointedFromItsBlocks(Kind kind) {
        CairnContext ctx = context();
        AtomicLong calls = new AtomicLong();
        Dataset<Long> ds = numbers(ctx, calls).persist(StorageLevel.MEMORY);
        assertEquals(RECORDS, ds.count());
        mark(ds, kind, CheckpointMode.EAGER);
        assertEquals(RECORDS, calls.get(), "checkpointing a cached dataset reads the cache");
        assertEquals(expectedSum(), ds.reduce(Long::sum));
        assertEquals(RECORDS, calls.get());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void partitionsAnActionDidNotFinishAreWrittenByTheCheckpointStep(Kind kind) {
        CairnContext ctx = context();
        AtomicLong calls = new AtomicLong();
        Dataset<Long> ds = mark(numbers(ctx, calls), kind, CheckpointMode.LAZY);
        assertEquals(List.of(0L, 3L, 6L), ds.take(3));
        settle(kind, ds);
        assertTrue(ds.isCheckpointed(), "take completes the checkpoint: " + ds.checkpointState());
        // take stopped inside partition 0, whose unfinished part was discarded and recomputed whole.
        assertTrue(calls.get() >= RECORDS && calls.get() <= RECORDS + 3, "calls: " + calls.get());
        assertEquals(expectedSum(), ds.reduce(Long::sum));
        assertTrue(calls.get() <= RECORDS + 3);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void everyMarkedDatasetInALineageIsCheckpointed(Kind kind) {
        CairnContext ctx = context();
        Dataset<Long> a = mark(ctx.range(0, 100, 4).map(x -> x + 1), kind, CheckpointMode.LAZY);
        Dataset<Long> b = mark(a.filter(x -> x % 2 == 0), kind, CheckpointMode.LAZY);
        Dataset<Long> c = b.map(x -> x * 10);
        assertEquals(50, c.count());
        settle(kind, a, b);
        assertTrue(a.isCheckpointed(), "ancestor a");
        assertTrue(b.isCheckpointed(), "ancestor b");
        assertFalse(c.isCheckpointed());
        assertEquals(3, c.lineageDepth(), c.lineage());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void statesGoFromNoneThroughMarkedAndInProgressToCheckpointed(Kind kind) {
        CairnContext ctx = context();
        AtomicReference<Dataset<Long>> self = new AtomicReference<>();
        Set<CheckpointState> seenInTasks = ConcurrentHashMap.newKeySet();
        Dataset<Long> ds = ctx.range(0, 100, 4).map(x -> {
            seenInTasks.add(self.get().checkpointState());
            return x;
        });
        self.set(ds);
        assertEquals(CheckpointState.NONE, ds.checkpointState());
        mark(ds, kind, CheckpointMode.LAZY);
        assertEquals(CheckpointState.MARKED, ds.checkpointState());
        ds.count();
        settle(kind, ds);
        // An async checkpoint is MARKED while its action computes the partitions, IN_PROGRESS while it uploads them.
        assertEquals(Set.of(kind == Kind.ASYNC ? CheckpointState.MARKED : CheckpointState.IN_PROGRESS), seenInTasks);
        assertEquals(CheckpointState.CHECKPOINTED, ds.checkpointState());
    }

    // ------------------------------------------------------------------ async: in the background

    private static final java.util.function.Predicate<String> PARTS = name -> name.startsWith("part-");

    private static java.util.function.Predicate<URI> partsOf(String datasetDir) {
        return file -> file.getPath().contains("/" + datasetDir + "/part-");
    }

    @Test
    void anAsyncCheckpointLetsTheActionReturnBeforeTheUploadAndCutsTheLineageWhenCommitted() throws Exception {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        List<String> events = new CopyOnWriteArrayList<>();
        CairnContext ctx = context(Map.of(), faulty(handle, Duration.ZERO), new CheckpointListener() {
            @Override
            public void committed(String dataset, URI location, CheckpointManifest manifest) {
                events.add("committed " + dataset);
            }
        });
        ctx.scanCheckpoints(checkpointDir); // opens the storage so the hold can be armed
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        handle.get().holdCommits(file -> file.getPath().contains("/part-"), release);
        AtomicLong calls = new AtomicLong();
        Dataset<Long> ds = numbers(ctx, calls).checkpoint(CheckpointMode.ASYNC);

        assertEquals(RECORDS, ds.count(), "the action returns while every part upload is held");
        assertEquals(CheckpointState.IN_PROGRESS, ds.checkpointState());
        assertFalse(ds.isCheckpointed());
        assertEquals(expectedSum(), ds.reduce(Long::sum), "meanwhile the dataset works from its blocks");
        assertEquals(RECORDS, calls.get(), "computed once: the upload reads the blocks");
        assertEquals(Optional.empty(), ds.awaitCheckpoint(Duration.ofMillis(100)));
        assertEquals(List.of(), events);

        release.countDown();
        URI location = ds.awaitCheckpoint();
        assertEquals(ds.checkpointLocation().orElseThrow(), location);
        assertTrue(ds.isCheckpointed());
        assertEquals(2, ds.lineageDepth(), ds.lineage());
        assertEquals(RECORDS, context().readCheckpoint(location).count());
        assertEquals(expectedSum(), ds.reduce(Long::sum));
        assertEquals(RECORDS, calls.get());
    }

    @Test
    void aFailedAsyncCheckpointIsReportedAtOnceThrownOnceByTheNextActionOrWaitAndLosesNothing() throws Exception {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CairnContext ctx = context(Map.of(), faulty(handle, Duration.ZERO), new CheckpointListener() {
            @Override
            public void failed(String dataset, URI location, Throwable cause) {
                failures.add(cause);
            }
        });
        ctx.scanCheckpoints(checkpointDir);

        // Nobody waits: the next action over the dataset reports the failure.
        handle.get().failCommit(3, PARTS);
        Dataset<Long> ds = numbers(ctx, new AtomicLong()).checkpoint(CheckpointMode.ASYNC);
        assertEquals(RECORDS, ds.count());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (failures.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10); // the listener hears it when it happens, not when someone asks
        }
        assertEquals(1, failures.size(), "listeners hear the failure when it happens");
        assertFalse(ds.isCheckpointed());
        URI location = CheckpointLayout.datasetDirectory(checkpointDir, ctx.contextId(), ds.id());
        assertEquals(List.of(), namesIn(location).stream().filter(n -> !n.startsWith(".")).toList(), "the failed upload's parts are removed");
        CheckpointException surfaced = assertThrows(CheckpointException.class, ds::count, "the next action reports it");
        assertTrue(surfaced.getMessage().contains("injected fault"), surfaced.getMessage());
        assertEquals(RECORDS, ds.count(), "reported once; the next action runs, on an intact lineage, and tries again");
        ds.awaitCheckpoint();
        assertTrue(ds.isCheckpointed());
        assertEquals(expectedSum(), context().<Long>readCheckpoint(ds.checkpointLocation().orElseThrow()).reduce(Long::sum));

        // Someone waits: the wait reports it, and the next action runs.
        handle.get().failCommit(2, PARTS);
        Dataset<Long> other = numbers(ctx, new AtomicLong()).checkpoint(CheckpointMode.ASYNC);
        assertEquals(RECORDS, other.count());
        CheckpointException waited = assertThrows(CheckpointException.class, other::awaitCheckpoint);
        assertTrue(waited.getMessage().contains("injected fault"), waited.getMessage());
        assertEquals(RECORDS, other.count(), "reported by the wait: the action runs and tries again");
        other.awaitCheckpoint();
        assertTrue(other.isCheckpointed());
    }

    @Test
    void asyncCheckpointsCommitInTheOrderTheyStarted() throws Exception {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        List<String> committed = new CopyOnWriteArrayList<>();
        CairnContext ctx = context(Map.of(), faulty(handle, Duration.ZERO), new CheckpointListener() {
            @Override
            public void committed(String dataset, URI location, CheckpointManifest manifest) {
                committed.add(dataset);
            }
        });
        ctx.scanCheckpoints(checkpointDir);
        java.util.concurrent.CountDownLatch releaseFirst = new java.util.concurrent.CountDownLatch(1);
        Dataset<Long> first = ctx.range(0, RECORDS, PARTITIONS).map(x -> x + 1).setName("first").checkpoint(CheckpointMode.ASYNC);
        Dataset<Long> second = ctx.range(0, 10, 2).map(x -> x + 2).setName("second").checkpoint(CheckpointMode.ASYNC);
        handle.get().holdCommits(partsOf("dataset-" + first.id()), releaseFirst); // the first one's parts only
        first.count();
        second.count();
        assertEquals(Optional.empty(), second.awaitCheckpoint(Duration.ofMillis(300)), "the second waits for the first to commit");
        assertEquals(List.of(), committed);
        releaseFirst.countDown();
        second.awaitCheckpoint();
        assertEquals(List.of(first.toString(), second.toString()), committed);
    }

    @Test
    void closingStopsAnAsyncCheckpointThatDoesNotFinishInTimeAndRemovesItsParts() throws Exception {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        CairnContext ctx = context(Map.of("cairn.checkpoint.async.close-timeout", "200ms"), faulty(handle, Duration.ZERO), null);
        ctx.scanCheckpoints(checkpointDir);
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        handle.get().holdCommits(file -> file.getPath().endsWith("/part-00000"), never);
        Dataset<Long> ds = numbers(ctx, new AtomicLong()).checkpoint(CheckpointMode.ASYNC);
        ds.count();
        URI location = CheckpointLayout.datasetDirectory(checkpointDir, ctx.contextId(), ds.id());
        Thread releaser = new Thread(() -> {
            // the close interrupts nothing; it stops the upload, whose held commit must end for the stop to finish
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            never.countDown();
        });
        releaser.start();
        ctx.close();
        releaser.join();
        assertFalse(namesIn(location).contains(CheckpointManifest.FILE_NAME), "nothing committed");
        assertEquals(List.of(), namesIn(location).stream().filter(n -> n.startsWith("part-")).toList(), "its parts are removed");
    }

    // ------------------------------------------------------------------ reliable: layout and reuse

    @Test
    void layoutAndManifestFollowTheCommitProtocol() throws IOException {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        CairnContext ctx = context(Map.of(), faulty(handle, Duration.ZERO), null);
        Dataset<Long> ds = numbers(ctx, new AtomicLong()).setName("numbers");
        ds.checkpoint(CheckpointMode.EAGER, Map.of("iteration", "7", "seed", "42"));
        URI location = ds.checkpointLocation().orElseThrow();
        assertEquals(CheckpointLayout.datasetDirectory(checkpointDir, ctx.contextId(), ds.id()), location);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < PARTITIONS; i++) {
            expected.add(String.format("part-%05d", i));
        }
        expected.add(CheckpointManifest.FILE_NAME);
        Collections.sort(expected);
        assertEquals(expected, namesIn(location));

        String json = new String(read(CheckpointLayout.child(location, CheckpointManifest.FILE_NAME)), StandardCharsets.UTF_8);
        CheckpointManifest m;
        try {
            m = CheckpointManifest.parse(json.getBytes(StandardCharsets.UTF_8));
        } catch (CheckpointManifest.FormatException e) {
            throw new AssertionError(e);
        }
        assertEquals(CheckpointManifest.FORMAT_VERSION, m.formatVersion());
        assertEquals(ds.id(), m.datasetId());
        assertEquals("numbers", m.datasetName());
        assertEquals(PARTITIONS, m.numPartitions());
        assertEquals(RECORDS, m.totalRecords());
        assertEquals("kryo", m.serializer());
        assertEquals("none", m.compression());
        assertEquals(Map.of("iteration", "7", "seed", "42"), m.metadata());
        for (int i = 0; i < PARTITIONS; i++) {
            CheckpointManifest.Part p = m.parts().get(i);
            assertEquals(raw.stat(part(location, i)).length(), p.bytes());
            assertEquals(RECORDS / PARTITIONS, p.records());
        }
        // The manifest is the last file published: every part was committed before it.
        assertEquals(PARTITIONS + 1, handle.get().commits(), "one commit per part, then the manifest");
    }

    @Test
    void anotherContextReadsTheCheckpointWithItsPartitionsAndPartitioner() {
        HashPartitioner p = new HashPartitioner(3);
        URI location;
        List<Pair<Long, Long>> written;
        CairnContext first = context();
        KeyedDataset<Long, Long> ds = first.range(0, RECORDS, PARTITIONS).keyBy(x -> x % 20).reduceByKey(p, Long::sum)
                .checkpoint(CheckpointMode.EAGER);
        location = ds.checkpointLocation().orElseThrow();
        written = ds.collect();
        first.close();

        CairnContext second = context();
        KeyedDataset<Long, Long> back = second.readKeyedCheckpoint(location);
        assertEquals(3, back.numPartitions());
        assertEquals(p, back.partitioner().orElseThrow());
        assertEquals(written, back.collect(), "same records in the same partitions and order");
        assertEquals(written.size(), back.reduceByKey(Long::sum).count(), "no shuffle needed, same keys");
        Dataset<Pair<Long, Long>> plain = second.readCheckpoint(location.toString() + "/");
        assertEquals(written, plain.collect(), "a trailing slash names the same checkpoint");
    }

    @Test
    void compressedCheckpointsRecordTheirCodecAndReadBack() throws IOException {
        for (String codec : List.of("lz4", "zstd")) {
            CairnContext ctx = context(Map.of("cairn.checkpoint.compression", codec), provider(), null);
            Dataset<String> ds = ctx.range(0, RECORDS, 4).map(x -> "record number " + (x % 10)).checkpoint(CheckpointMode.EAGER);
            URI location = ds.checkpointLocation().orElseThrow();
            String json = new String(read(CheckpointLayout.child(location, CheckpointManifest.FILE_NAME)), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"compression\" : \"" + codec + "\""), json);
            assertEquals(RECORDS, ds.count());
            assertEquals(RECORDS, context().readCheckpoint(location).count());
        }
    }

    // ------------------------------------------------------------------ reliable: bad files

    private URI committed(CairnContext ctx) {
        return numbers(ctx, new AtomicLong()).checkpoint(CheckpointMode.EAGER).checkpointLocation().orElseThrow();
    }

    @Test
    void aCorruptPartIsCaughtByItsChecksumAndNamed() throws IOException {
        URI location = committed(context());
        byte[] bytes = read(part(location, 2));
        bytes[bytes.length / 2] ^= 0x5A;
        overwrite(part(location, 2), bytes);
        Dataset<Long> back = context().readCheckpoint(location);
        TaskFailedException e = assertThrows(TaskFailedException.class, back::count);
        CorruptPartException cause = assertInstanceOf(CorruptPartException.class, rootCheckpointCause(e));
        assertNamed(cause, location, "part-00002");
    }

    @Test
    void noRecordOfADamagedPartReachesAnActionThatStopsEarly() throws IOException {
        // take(n) stops long before the end of a part, where a whole-file checksum is checked:
        // every block is checked before its records are decoded, so not one damaged record is handed out.
        URI location = committed(context());
        byte[] bytes = read(part(location, 0));
        bytes[20] ^= 0x01;
        overwrite(part(location, 0), bytes);
        Dataset<Long> back = context().readCheckpoint(location);
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> back.take(5));
        assertNamed(assertInstanceOf(CorruptPartException.class, rootCheckpointCause(e)), location, "part-00000");
        List<Long> seen = new CopyOnWriteArrayList<>();
        assertThrows(TaskFailedException.class, () -> back.foreach(seen::add));
        long firstPart = RECORDS / PARTITIONS;
        assertTrue(seen.stream().noneMatch(x -> x < firstPart * 3), "records of the damaged part reached foreach: " + seen.size());
    }

    @Test
    void concurrentActionsOnOneMarkedDatasetWriteEachPartOnceAndCommitOnce() throws Exception {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        CairnContext ctx = context(Map.of(), faulty(handle, Duration.ZERO), null);
        for (int round = 0; round < 10; round++) {
            Dataset<Long> ds = ctx.range(0, RECORDS * 10L, PARTITIONS).map(x -> x * 3);
            ds.checkpoint();
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(3);
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(3);
            try {
                List<java.util.concurrent.Future<Long>> counts = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    counts.add(threads.submit(() -> {
                        start.await();
                        return ds.count();
                    }));
                }
                for (java.util.concurrent.Future<Long> c : counts) {
                    assertEquals(RECORDS * 10L, c.get(), "round " + round);
                }
            } finally {
                threads.shutdownNow();
            }
            assertTrue(ds.isCheckpointed(), "round " + round);
            URI location = ds.checkpointLocation().orElseThrow();
            List<String> names = namesIn(location).stream().filter(n -> !n.startsWith(".")).toList();
            List<String> expected = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                expected.add(CheckpointManifest.partName(p));
            }
            expected.add(CheckpointManifest.FILE_NAME);
            expected.sort(null);
            assertEquals(expected, names, "round " + round + ": one file per partition and the manifest");
            Dataset<Long> back = context().readCheckpoint(location);
            assertEquals(RECORDS * 10L, back.count(), "round " + round);
        }
        long partCreates = handle.get().creates(); // every create of the storage, parts and manifests alike
        assertEquals(10L * (PARTITIONS + 1), partCreates, "one writer per partition, one manifest, per round");
    }

    @Test
    void aTruncatedPartIsCaughtAndNamed() throws IOException {
        URI location = committed(context());
        byte[] bytes = read(part(location, 5));
        overwrite(part(location, 5), java.util.Arrays.copyOf(bytes, bytes.length - 7));
        CheckpointException e = assertThrows(CheckpointException.class, () -> context().readCheckpoint(location).count());
        CheckpointException cause = e instanceof CorruptPartException ? e : rootCheckpointCause(e);
        assertInstanceOf(CorruptPartException.class, cause, e.getMessage());
        assertNamed(cause, location, "part-00005");
        assertTrue(cause.getMessage().contains(String.valueOf(bytes.length)), cause.getMessage());
    }

    @Test
    void aMissingPartIsNamed() throws IOException {
        URI location = committed(context());
        raw.delete(part(location, PARTITIONS - 1));
        MissingPartException e = assertThrows(MissingPartException.class, () -> context().readCheckpoint(location));
        assertNamed(e, location, "part-0000" + (PARTITIONS - 1));
    }

    @Test
    void extraFilesAreReportedButNeverRead() throws IOException {
        URI location = committed(context());
        overwrite(CheckpointLayout.child(location, "part-00000.bak"), "junk".getBytes(StandardCharsets.UTF_8));
        overwrite(CheckpointLayout.child(location, CheckpointManifest.partName(PARTITIONS)), read(part(location, 0)));
        Dataset<Long> back = context().readCheckpoint(location);
        assertEquals(PARTITIONS, back.numPartitions(), "judged against the manifest, not by counting part files");
        assertEquals(RECORDS, back.count());
        assertEquals(expectedSum(), back.reduce(Long::sum));
    }

    @Test
    void aManifestWithAnotherPartitionCountFailsTheReload() {
        // Tamper between the commit and the reload: the reload must check the count Spark checks.
        CheckpointListener tamper = new CheckpointListener() {
            @Override
            public void committed(String dataset, URI location, CheckpointManifest m) {
                CheckpointManifest shorter = new CheckpointManifest(m.formatVersion(), m.datasetId(), m.datasetName(), m.dataset(),
                        m.appName(), m.contextId(), m.numPartitions() - 1, m.parts().subList(0, m.numPartitions() - 1),
                        m.serializer(), m.compression(), m.createdAt(), m.partitioner(), m.partitionerCrc32c(), m.metadata(),
                        m.blockSize());
                try {
                    overwrite(CheckpointLayout.child(location, CheckpointManifest.FILE_NAME), shorter.toJson());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        CairnContext ctx = context(Map.of(), provider(), tamper);
        Dataset<Long> ds = numbers(ctx, new AtomicLong());
        PartitionCountMismatchException e = assertThrows(PartitionCountMismatchException.class,
                () -> ds.checkpoint(CheckpointMode.EAGER));
        assertTrue(e.getMessage().contains("expected " + PARTITIONS + " partitions") && e.getMessage().contains("found " + (PARTITIONS - 1)),
                e.getMessage());
        assertFalse(ds.isCheckpointed());
        assertEquals(RECORDS, ds.count(), "the dataset keeps its lineage");
    }

    @Test
    void aManifestOfANewerFormatIsRefusedWithItsVersion() throws IOException {
        URI location = committed(context());
        URI manifest = CheckpointLayout.child(location, CheckpointManifest.FILE_NAME);
        String json = new String(read(manifest), StandardCharsets.UTF_8)
                .replace("\"formatVersion\" : " + CheckpointManifest.FORMAT_VERSION, "\"formatVersion\" : 99");
        overwrite(manifest, json.getBytes(StandardCharsets.UTF_8));
        IncompatibleCheckpointException e = assertThrows(IncompatibleCheckpointException.class, () -> context().readCheckpoint(location));
        assertNamed(e, location, CheckpointManifest.FILE_NAME);
        assertTrue(e.getMessage().contains("99"), e.getMessage());
    }

    @Test
    void aGarbledManifestIsNamed() throws IOException {
        URI location = committed(context());
        overwrite(CheckpointLayout.child(location, CheckpointManifest.FILE_NAME), "{\"formatVersion\": 1, \"parts\": [".getBytes(StandardCharsets.UTF_8));
        CorruptPartException e = assertThrows(CorruptPartException.class, () -> context().readCheckpoint(location));
        assertNamed(e, location, CheckpointManifest.FILE_NAME);
    }

    @Test
    void missingAndUncommittedCheckpointsAreToldApart() throws IOException {
        CairnContext ctx = context();
        URI nowhere = CheckpointLayout.child(checkpointDir, "no-such-checkpoint");
        MissingPartException missing = assertThrows(MissingPartException.class, () -> ctx.readCheckpoint(nowhere));
        assertNamed(missing, nowhere, CheckpointManifest.FILE_NAME);
        assertTrue(missing.getMessage().contains("nothing at that location"), missing.getMessage());

        URI debris = CheckpointLayout.child(checkpointDir, "killed-writer");
        overwrite(CheckpointLayout.child(debris, "part-00000"), new byte[] {1, 2, 3});
        MissingPartException uncommitted = assertThrows(MissingPartException.class, () -> ctx.readCheckpoint(debris));
        assertTrue(uncommitted.getMessage().contains("uncommitted"), uncommitted.getMessage());
    }

    // ------------------------------------------------------------------ reliable: failures

    @Test
    void aFailedPartWriteCommitsNothingKeepsOlderCheckpointsAndCanBeRetried() throws IOException {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        CheckpointListener listener = new CheckpointListener() {
            @Override
            public void failed(String dataset, URI location, Throwable cause) {
                failures.add(dataset);
            }
        };
        CairnContext ctx = context(Map.of(), faulty(handle, Duration.ZERO), listener);
        URI older = committed(ctx);
        List<String> olderFiles = namesIn(older);

        AtomicLong calls = new AtomicLong();
        Dataset<Long> ds = numbers(ctx, calls).checkpoint();
        handle.get().failCommit(1, name -> name.equals("part-00003"));
        TaskFailedException e = assertThrows(TaskFailedException.class, ds::count);
        assertInstanceOf(CheckpointException.class, e.getCause(), e.toString());
        assertTrue(e.getMessage().contains("part-00003"), e.getMessage());
        assertEquals(1, failures.size());

        URI location = CheckpointLayout.datasetDirectory(checkpointDir, ctx.contextId(), ds.id());
        assertFalse(namesIn(location).contains(CheckpointManifest.FILE_NAME), "no manifest: nothing committed");
        assertTrue(namesIn(location).stream().noneMatch(n -> n.startsWith("part-")), "parts removed: " + namesIn(location));
        assertEquals(CheckpointState.MARKED, ds.checkpointState());
        assertEquals(olderFiles, namesIn(older), "an older committed checkpoint is never touched");
        assertEquals(RECORDS, context().readCheckpoint(older).count());

        handle.get().disarm();
        assertEquals(RECORDS, ds.count(), "the lineage is intact and the retry checkpoints");
        assertTrue(ds.isCheckpointed());
        Dataset<Long> back = context().readCheckpoint(ds.checkpointLocation().orElseThrow());
        assertEquals(expectedSum(), back.reduce(Long::sum));
    }

    @Test
    void anEagerCheckpointThatFailsLeavesTheDatasetUncheckpointed() {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        CairnContext ctx = context(Map.of(), faulty(handle, Duration.ZERO), null);
        ctx.scanCheckpoints(checkpointDir); // opens the storage so the fault can be armed
        Dataset<Long> ds = numbers(ctx, new AtomicLong());
        handle.get().failCreate(1, name -> name.equals(CheckpointManifest.FILE_NAME));
        assertThrows(CairnException.class, () -> ds.checkpoint(CheckpointMode.EAGER));
        assertEquals(CheckpointState.NONE, ds.checkpointState());
        assertEquals(RECORDS, ds.count());
        handle.get().disarm();
        ds.checkpoint(CheckpointMode.EAGER);
        assertTrue(ds.isCheckpointed());
    }

    @ParameterizedTest
    @EnumSource(value = CheckpointMode.class, names = {"LAZY", "EAGER"})
    void aCheckpointWhoseVerificationFailedCanBeRetried(CheckpointMode mode) {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        CairnContext ctx = context(Map.of(CheckpointOptions.VERIFY, "checksum"), faulty(handle, Duration.ZERO), null);
        ctx.scanCheckpoints(checkpointDir); // opens the storage so the fault can be armed
        Dataset<Long> ds = numbers(ctx, new AtomicLong());
        handle.get().flipByteOnRead(5, "part-00001"::equals); // the store returns other bytes than were written
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> (mode == CheckpointMode.EAGER ? ds.checkpoint(CheckpointMode.EAGER) : ds.checkpoint()).count());
        CheckpointException cause = e instanceof CorruptPartException ? e : rootCheckpointCause(e);
        assertNamed(cause, CheckpointLayout.datasetDirectory(checkpointDir, ctx.contextId(), ds.id()), "part-00001");
        assertFalse(ds.isCheckpointed());

        handle.get().disarm();
        assertEquals(RECORDS, (mode == CheckpointMode.EAGER ? ds.checkpoint(CheckpointMode.EAGER) : ds).count());
        assertTrue(ds.isCheckpointed(), "the retry rewrites every part and commits a fresh manifest");
        assertEquals(expectedSum(), context().<Long>readCheckpoint(ds.checkpointLocation().orElseThrow()).reduce(Long::sum));
    }

    // ------------------------------------------------------------------ cairn.checkpoint.verify

    /**
     * Checkpoints {@link #numbers} eagerly through a store that alters byte 5 of {@code part-00001}
     * on every read after the part is published, as a failing disk or a broken proxy would.
     * Returns the dataset when the checkpoint committed, or the failure.
     */
    private Object checkpointThroughAStoreThatAltersPart1(CairnContext ctx, AtomicReference<FaultInjectingStorage> handle) {
        ctx.scanCheckpoints(checkpointDir); // opens the storage so the fault can be armed
        Dataset<Long> ds = numbers(ctx, new AtomicLong());
        handle.get().flipByteOnRead(5, "part-00001"::equals);
        try {
            ds.checkpoint(CheckpointMode.EAGER);
            return ds;
        } catch (CheckpointException e) {
            assertFalse(ds.isCheckpointed());
            return e;
        }
    }

    /** The checkpoint failed at its commit-time verification, naming part-00001, and kept the lineage. */
    private void assertCaughtAtCommit(CairnContext ctx, Object outcome) {
        CheckpointException e = assertInstanceOf(CheckpointException.class, outcome, "the commit's read-back should catch the bytes");
        CheckpointException cause = e instanceof CorruptPartException ? e : rootCheckpointCause(e);
        assertInstanceOf(CorruptPartException.class, cause, e.getMessage());
        assertEquals("part-00001", cause.file(), e.getMessage());
        assertTrue(cause.location().toString().startsWith(checkpointDir.toString()), cause.getMessage());
    }

    /**
     * The checkpoint committed without reading part-00001 back; its first read fails with a
     * CorruptPartException naming the part, and no record of the part reaches the action.
     */
    private void assertCommittedAndCaughtAtFirstRead(Object outcome) {
        @SuppressWarnings("unchecked")
        Dataset<Long> ds = (Dataset<Long>) assertInstanceOf(Dataset.class, outcome, "no read-back expected at the commit");
        assertTrue(ds.isCheckpointed());
        URI location = ds.checkpointLocation().orElseThrow();
        List<Long> seen = new CopyOnWriteArrayList<>();
        CairnException e = assertThrows(CairnException.class, () -> ds.foreach(seen::add));
        assertNamed(assertInstanceOf(CorruptPartException.class, rootCheckpointCause(e)), location, "part-00001");
        long perPart = RECORDS / PARTITIONS;
        assertTrue(seen.stream().noneMatch(x -> x >= perPart * 3 && x < 2 * perPart * 3),
                "records of the altered part reached foreach: " + seen.stream().filter(x -> x >= perPart * 3 && x < 2 * perPart * 3).count());
    }

    @Test
    void verifyChecksumReReadsEveryPartAtTheCommitAndCatchesBytesTheStoreAltered() {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        CairnContext ctx = context(Map.of(CheckpointOptions.VERIFY, "checksum"), faulty(handle, Duration.ZERO), null);
        assertCaughtAtCommit(ctx, checkpointThroughAStoreThatAltersPart1(ctx, handle));
    }

    @Test
    void verifySizeCommitsWithoutReReadingAndTheFirstReadOfAnAlteredPartFailsHandingOutNothingOfIt() {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        CairnContext ctx = context(Map.of(CheckpointOptions.VERIFY, "size"), faulty(handle, Duration.ZERO), null);
        assertCommittedAndCaughtAtFirstRead(checkpointThroughAStoreThatAltersPart1(ctx, handle));
    }

    /**
     * The default, {@code auto}: on a store whose reads may come from the writer's own cache it
     * does not re-read (the read-back would see the writer's bytes), elsewhere it is {@code checksum}.
     * {@code remote} makes any backend report reads from another copy, as S3 and HDFS do.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void verifyAutoByDefaultReReadsOnlyWhereTheStoreSaysReadsMayComeFromAnotherCopy(boolean remote) {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        CairnContext ctx = context(Map.of(), faulty(handle, Duration.ZERO, remote), null);
        Object outcome = checkpointThroughAStoreThatAltersPart1(ctx, handle);
        if (handle.get().readsBackFromWriterCache()) {
            assertFalse(remote);
            assertCommittedAndCaughtAtFirstRead(outcome);
        } else {
            assertCaughtAtCommit(ctx, outcome);
        }
    }

    @Test
    void listingsThatLagWithinTheTimeoutAreWaitedFor() {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        List<CheckpointStats> stats = new CopyOnWriteArrayList<>();
        CheckpointListener listener = new CheckpointListener() {
            @Override
            public void verified(String dataset, URI location, CheckpointStats s) {
                stats.add(s);
            }
        };
        CairnContext ctx = context(Map.of("cairn.checkpoint.listing.timeout", "20s", "cairn.checkpoint.listing.initial-delay", "20ms"),
                faulty(handle, Duration.ofMillis(400)), listener);
        Dataset<Long> ds = numbers(ctx, new AtomicLong()).checkpoint(CheckpointMode.EAGER);
        assertTrue(ds.isCheckpointed());
        assertEquals(1, stats.size());
        assertTrue(stats.get(0).listings() > 1, "the first listing cannot show parts committed < 400 ms ago: " + stats);
        assertTrue(handle.get().lists() >= stats.get(0).listings());
    }

    @Test
    void listingsThatLagPastTheTimeoutFailNamingTheMissingPartsAndLoseNothing() {
        AtomicReference<FaultInjectingStorage> handle = new AtomicReference<>();
        CairnContext ctx = context(Map.of("cairn.checkpoint.listing.timeout", "300ms", "cairn.checkpoint.listing.initial-delay", "20ms"),
                faulty(handle, Duration.ofSeconds(3)), null);
        Dataset<Long> ds = numbers(ctx, new AtomicLong());
        ListingTimeoutException e = assertThrows(ListingTimeoutException.class, () -> ds.checkpoint(CheckpointMode.EAGER));
        for (int i = 0; i < PARTITIONS; i++) {
            assertTrue(e.missingParts().contains(CheckpointManifest.partName(i)), e.getMessage());
        }
        assertTrue(e.getMessage().contains("part-00000") && e.getMessage().contains("listings"), e.getMessage());
        assertTrue(e.listings() >= 2);
        assertFalse(ds.isCheckpointed());
        URI location = CheckpointLayout.datasetDirectory(checkpointDir, ctx.contextId(), ds.id());
        // Nothing was deleted: the committed checkpoint becomes readable once the listing shows it.
        CairnContext patient = context(Map.of("cairn.checkpoint.listing.timeout", "30s"), provider(), null);
        assertEquals(RECORDS, patient.readCheckpoint(location).count());
    }

    // ------------------------------------------------------------------ configuration and cleanup

    @Test
    void checkpointWithoutADirectorySaysHowToSetOne() {
        try (CairnContext ctx = CairnContext.builder().options(options()).storageProvider(provider()).build()) {
            Dataset<Long> ds = ctx.range(0, 10, 2);
            CairnException e = assertThrows(CairnException.class, ds::checkpoint);
            assertTrue(e.getMessage().contains("checkpointDir(") && e.getMessage().contains("setCheckpointDir"), e.getMessage());
            assertEquals(CheckpointState.NONE, ds.checkpointState());
        }
    }

    @Test
    void checkpointsOutliveTheContextUnlessCleanupOnCloseIsSet() throws IOException {
        CairnContext keep = context();
        URI kept = committed(keep);
        keep.close();
        assertTrue(namesIn(kept).contains(CheckpointManifest.FILE_NAME));

        CairnContext clean = context(Map.of("cairn.checkpoint.cleanup-on-close", "true"), provider(), null);
        URI cleaned = committed(clean);
        clean.close();
        assertTrue(namesIn(cleaned).isEmpty(), namesIn(cleaned).toString());
        assertThrows(NoSuchFileException.class, () -> raw.stat(CheckpointLayout.child(cleaned, CheckpointManifest.FILE_NAME)));
        assertTrue(namesIn(kept).contains(CheckpointManifest.FILE_NAME), "another context's checkpoint is not touched");
    }

    @Test
    void spreadCheckpointsAreDeletedWholeByThePeriodicCheckpointerAndCleanupOnClose() throws IOException {
        CairnContext ctx = context(Map.of("cairn.checkpoint.prefix-spread", "3"), provider(), null);
        dev.cairn.ml.PeriodicCheckpointer<Long> checkpointer = dev.cairn.ml.PeriodicCheckpointer.<Long>builder(ctx).interval(1).keep(1)
                .build();
        Dataset<Long> ds = ctx.range(0, 60, 6);
        List<URI> written = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            ds = ds.map(x -> x + 1);
            checkpointer.update(ds, Map.of());
            assertEquals(1770L + 60L * i, ds.reduce(Long::sum)); // the sum of [i, 60 + i)
            written.add(ds.checkpointLocation().orElseThrow());
        }
        assertEquals(List.of(written.get(2)), checkpointer.checkpoints().stream().map(c -> c.location()).toList()); // retention applied after the last commit
        URI last = written.get(2);
        List<String> names = namesIn(last);
        assertEquals(3, names.stream().filter(n -> n.matches("[0-9a-f]{2}")).count(), "three sub-prefixes: " + names);
        assertTrue(names.contains(CheckpointManifest.FILE_NAME), names.toString());
        ctx.close(); // runs the deletions still waiting for their datasets to be collected
        for (URI older : written.subList(0, 2)) {
            assertTrue(namesIn(older).isEmpty(), "an older checkpoint is deleted with its sub-prefixes: " + namesIn(older));
        }
        assertEquals(names, namesIn(last), "the newest is kept");

        CairnContext clean = context(Map.of("cairn.checkpoint.prefix-spread", "3", "cairn.checkpoint.cleanup-on-close", "true"),
                provider(), null);
        URI cleaned = clean.range(0, 60, 6).checkpoint(CheckpointMode.EAGER).checkpointLocation().orElseThrow();
        assertEquals(3, namesIn(cleaned).stream().filter(n -> n.matches("[0-9a-f]{2}")).count(), namesIn(cleaned).toString());
        clean.close();
        assertTrue(namesIn(cleaned).isEmpty(), namesIn(cleaned).toString());
        assertTrue(namesIn(CheckpointLayout.contextDirectory(checkpointDir, clean.contextId())).isEmpty());
    }

    @Test
    void aCheckpointALiveDatasetReadsIsNotDeletedUnderIt() throws IOException {
        CairnContext ctx = context();
        Dataset<Long> ds = numbers(ctx, new AtomicLong()).checkpoint(CheckpointMode.EAGER);
        URI location = ds.checkpointLocation().orElseThrow();
        CairnException refused = assertThrows(CairnException.class, () -> ctx.deleteCheckpoint(location));
        assertTrue(refused.getMessage().contains(ds.toString()), refused.getMessage());
        ds.deleteCheckpoint(); // deferred: ds still reads the files
        assertEquals(RECORDS, ds.count());
        assertTrue(namesIn(location).contains(CheckpointManifest.FILE_NAME));
        ctx.close();
        assertTrue(namesIn(location).isEmpty(), "deferred deletes happen at close at the latest");
    }

    @Test
    void listenersHearEveryStepWithFigures() {
        List<String> events = new CopyOnWriteArrayList<>();
        List<CheckpointStats> stats = new CopyOnWriteArrayList<>();
        CheckpointListener listener = new CheckpointListener() {
            @Override
            public void started(String dataset, URI location) {
                events.add("started");
            }

            @Override
            public void partWritten(String dataset, URI location, CheckpointManifest.Part part) {
                events.add("part");
            }

            @Override
            public void committed(String dataset, URI location, CheckpointManifest manifest) {
                events.add("committed");
            }

            @Override
            public void verified(String dataset, URI location, CheckpointStats s) {
                events.add("verified");
                stats.add(s);
            }
        };
        CairnContext ctx = context(Map.of(), provider(), listener);
        Dataset<Long> ds = numbers(ctx, new AtomicLong()).checkpoint();
        ds.count();
        List<String> expected = new ArrayList<>();
        expected.add("started");
        for (int i = 0; i < PARTITIONS; i++) {
            expected.add("part");
        }
        expected.add("committed");
        expected.add("verified");
        assertEquals(expected, events);
        CheckpointStats s = stats.get(0);
        assertEquals(PARTITIONS, s.parts());
        assertEquals(RECORDS, s.records());
        assertTrue(s.bytes() > RECORDS, "kryo writes at least a byte per long: " + s.bytes());
        assertEquals(ds.checkpointLocation().orElseThrow(), s.location());
        assertTrue(s.summary().contains(PARTITIONS + " parts") && s.summary().contains(RECORDS + " records"), s.summary());
    }

    @Test
    void theOrphanSweepDeletesDebrisAndKeepsCommittedCheckpoints() throws IOException {
        CairnContext writer = context();
        URI committed = committed(writer);
        URI stray = CheckpointLayout.child(committed, ".part-00001.0123456789abcdef.tmp");
        overwrite(stray, new byte[] {7});
        URI killed = CheckpointLayout.child(CheckpointLayout.contextDirectory(checkpointDir, "killed-context"), "dataset-3");
        overwrite(CheckpointLayout.child(killed, "part-00000"), new byte[] {1, 2, 3});
        writer.close();

        CairnContext sweeper = context();
        dev.cairn.checkpoint.OrphanSweeper.Report young = sweeper.sweepOrphans(checkpointDir, Duration.ofHours(1));
        assertTrue(young.deleted().isEmpty(), "recent debris may belong to a live writer: " + young);
        assertEquals(2, young.young().size(), young.toString());

        dev.cairn.checkpoint.OrphanSweeper.Report report = sweeper.sweepOrphans(checkpointDir, Duration.ZERO);
        assertEquals(Set.of(killed, stray), normalized(report.deleted()), report.toString());
        assertEquals(Set.of(committed), normalized(report.committed()));
        assertTrue(namesIn(killed).isEmpty());
        assertFalse(namesIn(committed).contains(stray.getPath().substring(stray.getPath().lastIndexOf('/') + 1)));
        assertEquals(RECORDS, sweeper.readCheckpoint(committed).count(), "the committed checkpoint is intact");
    }

    @Test
    void withCleanupOnGcACheckpointGoesWithItsDataset() throws Exception {
        CairnContext ctx = context(Map.of("cairn.checkpoint.cleanup-on-gc", "true"), provider(), null);
        URI location = committed(ctx); // the dataset itself is not kept
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (namesIn(location).contains(CheckpointManifest.FILE_NAME) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20); // waiting on the garbage collector: no condition to await but the files themselves
        }
        assertFalse(namesIn(location).contains(CheckpointManifest.FILE_NAME), "deleted once its dataset was collected");
    }

    // ------------------------------------------------------------------ local only

    @Test
    void aLocalCheckpointWhoseBlocksAreGoneFailsClearly() {
        CairnContext ctx = context();
        Dataset<Long> ds = numbers(ctx, new AtomicLong()).localCheckpoint(CheckpointMode.EAGER);
        assertEquals(RECORDS, ds.count());
        ds.unpersist();
        TaskFailedException e = assertThrows(TaskFailedException.class, ds::count);
        assertTrue(e.getCause().getMessage().contains("local checkpoint") && e.getCause().getMessage().contains("not reliable"),
                e.getCause().getMessage());
    }

    @Test
    void theTwoKindsDoNotMix() {
        CairnContext ctx = context();
        Dataset<Long> ds = ctx.range(0, 10, 2).checkpoint();
        assertThrows(CairnException.class, ds::localCheckpoint);
        Dataset<Long> local = ctx.range(0, 10, 2).localCheckpoint();
        assertThrows(CairnException.class, local::checkpoint);
        assertNotEquals(ds.checkpointState(), CheckpointState.NONE);
    }

    private static CheckpointException rootCheckpointCause(Throwable t) {
        Throwable c = t;
        while (c != null) {
            if (c instanceof CheckpointException ce) {
                return ce;
            }
            c = c.getCause();
        }
        throw new AssertionError("no CheckpointException in the causes of " + t, t);
    }

    private static Set<URI> normalized(List<URI> uris) {
        return uris.stream().map(CheckpointLayout::normalize).collect(Collectors.toSet());
    }
}
