package dev.cairn;

import java.io.Serializable;

/**
 * Decides which partition of a keyed dataset holds a key. Two datasets with equal partitioners
 * hold each key in the same partition index, which lets {@link KeyedDataset#join} and
 * {@link KeyedDataset#reduceByKey} skip a shuffle. Implementations must therefore define
 * {@code equals} and {@code hashCode}, be immutable, and be {@link Serializable}: a checkpoint
 * stores its dataset's partitioner in the {@code _partitioner} file.
 */
public abstract class Partitioner implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Number of partitions, at least 1. */
    public abstract int numPartitions();

    /** The partition of {@code key}, in {@code [0, numPartitions())}. Keys may be {@code null}. */
    public abstract int partition(Object key);
}
