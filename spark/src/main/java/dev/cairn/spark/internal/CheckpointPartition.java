package dev.cairn.spark.internal;

import org.apache.spark.Partition;

/** Partition {@code index} of a checkpoint: its part file {@code part-<index>}. Not API. */
final class CheckpointPartition implements Partition {
    private static final long serialVersionUID = 1L;
    private final int index;

    CheckpointPartition(int index) {
        this.index = index;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public int hashCode() {
        return index;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckpointPartition && ((CheckpointPartition) o).index == index;
    }
}
