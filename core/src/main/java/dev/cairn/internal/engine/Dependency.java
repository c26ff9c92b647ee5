package dev.cairn.internal.engine;


/**
 * An edge of the lineage graph: how a dataset's partitions depend on a parent's.
 * A {@link NarrowDependency} reads parent partitions directly inside the child's task;
 * a {@link ShuffleDependency} needs the whole parent redistributed by key first.
 */
public abstract sealed class Dependency permits NarrowDependency, ShuffleDependency {
    private final Node<?> parent;

    Dependency(Node<?> parent) {
        this.parent = parent;
    }

    /** The node depended on. */
    public Node<?> parent() {
        return parent;
    }
}
