package dev.cairn.spark.internal;

import java.io.Serializable;
import java.util.Optional;
import org.apache.spark.HashPartitioner;
import org.apache.spark.Partitioner;
import scala.Option;

/**
 * Partitioners between Spark and a checkpoint's {@code _partitioner}. Spark's
 * {@link HashPartitioner} is stored as Cairn's {@link dev.cairn.HashPartitioner}: both send a
 * key to {@code floorMod(key.hashCode(), n)} (null to 0), and in the engine-neutral form a pair
 * checkpoint stays readable by a Cairn application that has no Spark. Any other Spark
 * partitioner is stored as itself (readable where Spark is). On the way back, Cairn's hash
 * partitioner becomes Spark's again (so joins with other hash-partitioned RDDs avoid a
 * shuffle), another Cairn partitioner is wrapped. Not API.
 */
public final class Partitioners {
    private Partitioners() {
    }

    /** What to store for Spark's {@code partitioner}, or {@code null} for none. */
    public static Serializable toCheckpoint(Option<Partitioner> partitioner) {
        if (partitioner.isEmpty()) {
            return null;
        }
        Partitioner p = partitioner.get();
        if (p instanceof HashPartitioner) {
            return new dev.cairn.HashPartitioner(p.numPartitions());
        }
        if (p instanceof CairnPartitioner) {
            return ((CairnPartitioner) p).cairn;
        }
        return p;
    }

    /** Spark's view of a stored partitioner, if it is one and fits {@code numPartitions}. */
    public static Option<Partitioner> toSpark(Optional<Object> stored, int numPartitions) {
        if (stored.isEmpty()) {
            return Option.empty();
        }
        Object p = stored.get();
        Partitioner spark;
        if (p instanceof dev.cairn.HashPartitioner) {
            spark = new HashPartitioner(((dev.cairn.HashPartitioner) p).numPartitions());
        } else if (p instanceof dev.cairn.Partitioner) {
            spark = new CairnPartitioner((dev.cairn.Partitioner) p);
        } else if (p instanceof Partitioner) {
            spark = (Partitioner) p;
        } else {
            return Option.empty();
        }
        return spark.numPartitions() == numPartitions ? Option.apply(spark) : Option.empty();
    }

    /** A Cairn partitioner (range, custom) seen by Spark. */
    static final class CairnPartitioner extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final dev.cairn.Partitioner cairn;

        CairnPartitioner(dev.cairn.Partitioner cairn) {
            this.cairn = cairn;
        }

        @Override
        public int numPartitions() {
            return cairn.numPartitions();
        }

        @Override
        public int getPartition(Object key) {
            return cairn.partition(key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CairnPartitioner && ((CairnPartitioner) o).cairn.equals(cairn);
        }

        @Override
        public int hashCode() {
            return cairn.hashCode();
        }

        @Override
        public String toString() {
            return "Cairn " + cairn;
        }
    }
}
