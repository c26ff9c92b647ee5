package dev.cairn;

/**
 * Places a key by its {@code hashCode()} modulo the partition count; {@code null} goes to 0.
 * Keys whose {@code hashCode} is not stable across JVMs (enums, identity hashes, arrays) do not
 * belong in datasets that are checkpointed and read by another process with this partitioner.
 */
public final class HashPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int partitions;

    /**
     * @param partitions number of partitions, at least 1
     */
    public HashPartitioner(int partitions) {
        if (partitions <= 0) {
            throw new CairnException("Cannot create partitioner: (expected partitions > 0, found " + partitions + ")");
        }
        this.partitions = partitions;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int partition(Object key) {
        return key == null ? 0 : Math.floorMod(key.hashCode(), partitions);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashPartitioner && ((HashPartitioner) o).partitions == partitions;
    }

    @Override
    public int hashCode() {
        return partitions;
    }

    @Override
    public String toString() {
        return "HashPartitioner(" + partitions + ")";
    }
}
