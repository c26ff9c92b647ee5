package dev.cairn.internal.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The partitions of several nodes, one after another: partition {@code i} is partition
 * {@code i - offset} of the parent whose range holds {@code i}.
 *
 * @param <T> record type
 */
public final class UnionNode<T> extends Node<T> {
    private List<Node<T>> parents;
    private final int[] offsets;

    /** The union of {@code parents}, in order. */
    public UnionNode(EngineContext context, List<Node<T>> parents) {
        super(context);
        this.parents = List.copyOf(parents);
        this.offsets = new int[parents.size() + 1];
        for (int i = 0; i < parents.size(); i++) {
            offsets[i + 1] = offsets[i] + parents.get(i).numPartitions();
        }
    }

    @Override
    public int numPartitions() {
        return offsets[offsets.length - 1];
    }

    @Override
    protected List<Dependency> lineageDependencies() {
        List<Dependency> deps = new ArrayList<>(parents.size());
        for (Node<T> p : parents) {
            deps.add(new NarrowDependency(p));
        }
        return deps;
    }

    @Override
    protected Iterator<T> compute(int partition, TaskContext task) {
        for (int i = 0; i < parents.size(); i++) {
            if (partition < offsets[i + 1]) {
                return parents.get(i).iterator(partition - offsets[i], task);
            }
        }
        throw new IndexOutOfBoundsException("partition " + partition + " of " + this + " with " + numPartitions() + " partitions");
    }

    @Override
    protected void clearDependencies() {
        parents = null;
    }

    @Override
    protected String operation() {
        return "union";
    }

    @Override
    public String kind() {
        return "UnionDataset";
    }
}
