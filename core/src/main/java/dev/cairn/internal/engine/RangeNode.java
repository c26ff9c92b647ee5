package dev.cairn.internal.engine;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** The longs of {@code [start, end)} split into contiguous, nearly equal partitions, generated on demand. */
public final class RangeNode extends Node<Long> {
    private final long start;
    private final long end;
    private final int partitions;

    /** {@code [start, end)} in {@code partitions} partitions; the caller has validated the arguments. */
    public RangeNode(EngineContext context, long start, long end, int partitions) {
        super(context);
        this.start = start;
        this.end = end;
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        return List.of();
    }

    /** First value of partition {@code i}: the remainder goes one each to the first partitions. */
    private long boundary(int i) {
        long length = end - start;
        return start + (length / partitions) * i + Math.min(i, length % partitions);
    }

    @Override
    protected Iterator<Long> compute(int partition, TaskContext task) {
        long from = boundary(partition);
        long to = boundary(partition + 1);
        return new Iterator<>() {
            private long next = from;

            @Override
            public boolean hasNext() {
                return next < to;
            }

            @Override
            public Long next() {
                if (next >= to) {
                    throw new NoSuchElementException();
                }
                return next++;
            }
        };
    }

    @Override
    protected String operation() {
        return "range(" + start + ", " + end + ")";
    }

    @Override
    public String kind() {
        return "RangeDataset";
    }
}
