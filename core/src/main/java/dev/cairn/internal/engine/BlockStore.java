package dev.cairn.internal.engine;

import dev.cairn.CairnException;
import dev.cairn.serde.RecordInput;
import dev.cairn.serde.RecordOutput;
import dev.cairn.serde.Serializer;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process store behind {@code persist}/{@code cache} and local checkpoints: computed
 * partitions kept as objects on the heap, or serialized into a spill directory of this process.
 * A block is computed at most once even when several tasks ask for it at the same time.
 *
 * <p>Thread-safe.
 */
public final class BlockStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BlockStore.class);
    /** Above this share of the maximum heap, MEMORY_AND_DISK blocks go to disk. */
    private static final double HEAP_HIGH_WATER = 0.75;
    /** How often (in records) a block being collected on the heap looks at the heap again. */
    private static final int HEAP_CHECK_INTERVAL = 4096;

    private final Serializer serializer;
    private final Map<BlockId, Block> blocks = new ConcurrentHashMap<>();
    private final Map<BlockId, Object> locks = new ConcurrentHashMap<>();
    private final Path spillRoot;
    private volatile Path spillDir;
    private volatile boolean closed;

    /** Identifies one partition of one dataset. */
    public record BlockId(int datasetId, int partition) {
    }

    private sealed interface Block permits MemoryBlock, DiskBlock {
    }

    private record MemoryBlock(List<Object> records) implements Block {
    }

    private record DiskBlock(Path file, long records, long bytes) implements Block {
    }

    /**
     * @param serializer writes disk blocks
     * @param spillRoot  where the spill directory is made, on first use
     */
    public BlockStore(Serializer serializer, Path spillRoot) {
        this.serializer = serializer;
        this.spillRoot = spillRoot;
    }

    /** Whether the block is stored. */
    public boolean contains(int datasetId, int partition) {
        return blocks.containsKey(new BlockId(datasetId, partition));
    }

    /** How many partitions of a dataset are stored. */
    public int storedPartitions(int datasetId) {
        int n = 0;
        for (BlockId id : blocks.keySet()) {
            if (id.datasetId() == datasetId) {
                n++;
            }
        }
        return n;
    }

    /**
     * The stored partition, or computes, stores and returns it. Concurrent callers for the same
     * block wait for the first one to store it instead of computing it again.
     */
    @SuppressWarnings("unchecked")
    public <T> Iterator<T> getOrCompute(int datasetId, int partition, Persistence level, TaskContext task,
                                        Supplier<Iterator<T>> compute) {
        BlockId id = new BlockId(datasetId, partition);
        Block block = blocks.get(id);
        if (block == null) {
            synchronized (locks.computeIfAbsent(id, k -> new Object())) {
                block = blocks.get(id);
                if (block == null) {
                    checkOpen();
                    block = store(id, level, compute.get());
                    blocks.put(id, block);
                }
            }
        }
        return (Iterator<T>) read(block, task);
    }

    /**
     * Stores a fully computed partition from {@code records}, replacing any stored one.
     * Used by local checkpoints, which write the block as the first computation produces it.
     */
    public void put(int datasetId, int partition, Persistence level, Iterator<?> records) {
        checkOpen();
        BlockId id = new BlockId(datasetId, partition);
        Block block = store(id, level, records);
        Block old = blocks.put(id, block);
        if (old != null) {
            discard(old);
        }
    }

    /** Drops every block of a dataset (no-op for blocks not stored). */
    public void remove(int datasetId) {
        blocks.entrySet().removeIf(e -> {
            if (e.getKey().datasetId() == datasetId) {
                discard(e.getValue());
                return true;
            }
            return false;
        });
        locks.keySet().removeIf(k -> k.datasetId() == datasetId);
    }

    private Block store(BlockId id, Persistence level, Iterator<?> records) {
        switch (level) {
            case MEMORY:
                List<Object> all = new ArrayList<>();
                records.forEachRemaining(all::add);
                return new MemoryBlock(all);
            case DISK:
                return writeToDisk(id, java.util.Collections.emptyIterator(), records);
            case MEMORY_AND_DISK:
                return storeMemoryOrDisk(id, records);
            default:
                throw new IllegalArgumentException("unknown storage level " + level);
        }
    }

    private Block storeMemoryOrDisk(BlockId id, Iterator<?> records) {
        List<Object> collected = new ArrayList<>();
        while (records.hasNext()) {
            collected.add(records.next());
            if (collected.size() % HEAP_CHECK_INTERVAL == 0 && heapUsedShare() > HEAP_HIGH_WATER) {
                LOG.info("Heap above {}% while caching partition {} of dataset {}: spilling it to disk",
                        (int) (HEAP_HIGH_WATER * 100), id.partition(), id.datasetId());
                Iterator<Object> head = collected.iterator();
                return writeToDisk(id, head, records);
            }
        }
        return new MemoryBlock(collected);
    }

    private static double heapUsedShare() {
        Runtime rt = Runtime.getRuntime();
        return (double) (rt.totalMemory() - rt.freeMemory()) / rt.maxMemory();
    }

    private Block writeToDisk(BlockId id, Iterator<?> head, Iterator<?> rest) {
        Path file = spillDirectory().resolve("block-" + id.datasetId() + "-" + id.partition() + "-" + System.nanoTime());
        long n = 0;
        try (RecordOutput out = serializer.newOutput(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            while (head.hasNext()) {
                out.write(head.next());
                n++;
            }
            while (rest.hasNext()) {
                out.write(rest.next());
                n++;
            }
        } catch (IOException e) {
            deleteQuietly(file);
            throw new CairnException("Cannot write block to disk: " + file + " (dataset " + id.datasetId() + ", partition "
                    + id.partition() + "; expected a writable spill directory, found " + e + "; set cairn.spill.dir to a disk with room)", e);
        } catch (RuntimeException e) {
            deleteQuietly(file);
            throw e;
        }
        try {
            return new DiskBlock(file, n, Files.size(file));
        } catch (IOException e) {
            deleteQuietly(file);
            throw new CairnException("Cannot write block to disk: " + file + " (dataset " + id.datasetId() + ", partition "
                    + id.partition() + "; expected to read the size of the file just written, found " + e + ")", e);
        }
    }

    private Iterator<?> read(Block block, TaskContext task) {
        if (block instanceof MemoryBlock m) {
            return m.records().iterator();
        }
        DiskBlock d = (DiskBlock) block;
        RecordInput in;
        try {
            in = serializer.newInput(new BufferedInputStream(Files.newInputStream(d.file()), 1 << 16));
        } catch (IOException e) {
            throw new CairnException("Cannot read block from disk: " + d.file() + " (expected " + d.records()
                    + " records in " + d.bytes() + " bytes, found the file unreadable)", e);
        }
        if (task != null) {
            task.onCompletion(failure -> closeQuietly(in));
        }
        return new Iterator<>() {
            private long read;

            @Override
            public boolean hasNext() {
                try {
                    boolean more = read < d.records() && in.hasNext();
                    if (!more) {
                        closeQuietly(in);
                    }
                    return more;
                } catch (IOException e) {
                    throw new CairnException("Cannot read block from disk: " + d.file() + " (expected " + d.records()
                            + " records, found an unreadable record after " + read + ")", e);
                }
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                try {
                    read++;
                    return in.next();
                } catch (IOException e) {
                    throw new CairnException("Cannot read block from disk: " + d.file() + " (expected " + d.records()
                            + " records, found an unreadable record after " + (read - 1) + ")", e);
                }
            }
        };
    }

    private Path spillDirectory() {
        Path dir = spillDir;
        if (dir == null) {
            synchronized (this) {
                dir = spillDir;
                if (dir == null) {
                    try {
                        Files.createDirectories(spillRoot);
                        dir = Files.createTempDirectory(spillRoot, "cairn-blocks-");
                    } catch (IOException e) {
                        throw new CairnException("Cannot create spill directory: " + spillRoot
                                + " (expected a writable directory, found " + e + "; set cairn.spill.dir)", e);
                    }
                    spillDir = dir;
                }
            }
        }
        return dir;
    }

    private void discard(Block block) {
        if (block instanceof DiskBlock d) {
            deleteQuietly(d.file());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new CairnException("Cannot store block (expected an open context, found it closed)");
        }
    }

    /** Frees every block and deletes the spill directory. */
    @Override
    public void close() {
        closed = true;
        blocks.clear();
        locks.clear();
        Path dir = spillDir;
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(BlockStore::deleteQuietly);
            } catch (IOException e) {
                LOG.warn("Cannot delete spill directory {}", dir, e);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Cannot delete {}", p, e);
        }
    }

    private static void closeQuietly(RecordInput in) {
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("Cannot close block input", e);
        }
    }
}
