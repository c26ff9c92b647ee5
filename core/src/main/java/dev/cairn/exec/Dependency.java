package dev.cairn.exec;

import dev.cairn.Dataset;

/**
 * An edge of the lineage graph: how a dataset's partitions depend on a parent's.
 * A {@link NarrowDependency} reads parent partitions directly inside the child's task;
 * a {@link ShuffleDependency} needs the whole parent redistributed by key first.
 */
public abstract sealed class Dependency permits NarrowDependency, ShuffleDependency {
    private final Dataset<?> parent;

    Dependency(Dataset<?> parent) {
        this.parent = parent;
    }

    /** The dataset depended on. */
    public Dataset<?> parent() {
        return parent;
    }
}
