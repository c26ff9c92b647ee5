package dev.cairn.internal.engine;


/** Each child partition reads some partitions of the parent in the same task, with no shuffle. */
public final class NarrowDependency extends Dependency {

    /** A narrow dependency on {@code parent}. */
    public NarrowDependency(Node<?> parent) {
        super(parent);
    }
}
