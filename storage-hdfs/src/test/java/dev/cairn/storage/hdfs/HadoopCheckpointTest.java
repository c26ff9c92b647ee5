package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.CairnContext;
import dev.cairn.config.CairnOptions;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.tck.StorageContractTest;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

/**
 * The base of this module's own checkpoint tests on one Hadoop file system: what a store needs
 * beyond the shared contract ({@code storage-tck}'s {@code CheckpointContractTest}, run by
 * {@link HdfsCheckpointContractTest} and {@link S3aCheckpointContractTest}), such as damaged
 * HDFS blocks, viewfs and webhdfs, or S3A's listing options. A subclass names the store it starts
 * in a static {@code @BeforeAll}; every test writes under a fresh directory below
 * {@link #checkpointBase()}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
abstract class HadoopCheckpointTest {
    private final List<CairnContext> contexts = new ArrayList<>();
    private URI root;
    private HadoopStorage inspector;

    /** Where this class's checkpoints go; each test uses a fresh directory below it. */
    protected abstract URI checkpointBase();

    /** The options that reach the store: {@code cairn.hadoop.*} and {@code cairn.hdfs.*}. */
    protected abstract Map<String, String> storeOptions();

    @BeforeEach
    final void freshDirectory() {
        root = StorageContractTest.child(checkpointBase(), "run-" + UUID.randomUUID());
        inspector = new HadoopStorageProvider().open(root.getScheme(), CairnOptions.of(storeOptions()));
    }

    @AfterEach
    final void closeContexts() throws IOException {
        contexts.forEach(CairnContext::close);
        try {
            inspector.delete(root);
        } finally {
            inspector.close();
        }
    }

    /** This test's checkpoint directory. */
    protected final URI root() {
        return root;
    }

    /** A storage on the same store with the same options, to look at and damage files behind Cairn's back. */
    protected final Storage inspector() {
        return inspector;
    }

    /** A context writing to {@link #root()} with the store's options and {@code extraOptions}, closed after the test. */
    protected final CairnContext context(Map<String, String> extraOptions) {
        CairnContext ctx = CairnContext.builder()
                .appName(getClass().getSimpleName())
                .parallelism(4)
                .checkpointDir(root)
                .options(storeOptions())
                .options(extraOptions)
                .build();
        contexts.add(ctx);
        return ctx;
    }

    /** A context writing to {@link #root()} with the store's options, closed after the test. */
    protected final CairnContext context() {
        return context(Map.of());
    }

    /** Writes an eager checkpoint of {@code partitions} partitions of 0..9999 and returns its directory. */
    protected final URI writeCheckpoint(int partitions) {
        Dataset<Long> ds = context().range(0, 10_000, partitions);
        ds.checkpoint(CheckpointMode.EAGER);
        return ds.checkpointLocation().orElseThrow();
    }

    /** The files of a committed checkpoint: parts, the manifest, and the partitioner if any. */
    protected static TreeSet<String> expectedFiles(int parts, boolean partitioner) {
        TreeSet<String> names = new TreeSet<>();
        for (int i = 0; i < parts; i++) {
            names.add(String.format("part-%05d", i));
        }
        names.add("_manifest.json");
        if (partitioner) {
            names.add("_partitioner");
        }
        return names;
    }

    /** The names in a listing, sorted. */
    protected static TreeSet<String> names(List<FileStatus> listing) {
        return listing.stream().map(FileStatus::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The first {@code type} in {@code e}'s cause chain (suppressed ones included); fails if none. */
    static <X extends Throwable> X find(Throwable e, Class<X> type) {
        List<Throwable> seen = new ArrayList<>();
        List<Throwable> todo = new ArrayList<>(List.of(e));
        while (!todo.isEmpty()) {
            Throwable t = todo.remove(0);
            if (t == null || seen.contains(t)) {
                continue;
            }
            seen.add(t);
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            todo.add(t.getCause());
            todo.addAll(List.of(t.getSuppressed()));
        }
        fail("no " + type.getSimpleName() + " in the causes of " + e, e);
        return null;
    }
}
