package dev.cairn.internal.engine;

import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * How a node's keys are placed in its partitions, as the engine needs it: the partitioner
 * object the API was given (opaque here: compared with {@code equals}, written to
 * {@code _partitioner}), its partition count, and the function that places a key.
 *
 * @param partitioner the API's partitioner; two nodes partitioned alike have equal ones
 * @param partitions  partition count
 * @param place       the partition of a key
 */
public record Partitioning(Object partitioner, int partitions, ToIntFunction<Object> place) {

    /** Equal when the partitioners are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Partitioning p && Objects.equals(partitioner, p.partitioner);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(partitioner);
    }
}
