package dev.cairn.spark.internal;

import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.PartIterator;
import dev.cairn.config.CairnOptions;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.Partition;
import org.apache.spark.Partitioner;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.rdd.RDD;
import org.apache.spark.util.TaskCompletionListener;
import scala.Option;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * An RDD over a committed checkpoint: partition {@code i} is the records of
 * {@code part-<i>}, read on the executor through {@link CheckpointReader#openPart} (which
 * verifies length, record count and CRC32C while reading), with storage built from the shipped
 * options by the executor's {@link JvmStorage}. It has no parent: the lineage it stands for is
 * cut. Not API.
 *
 * @param <T> the element type
 */
public final class CairnCheckpointRDD<T> extends RDD<T> {
    private static final long serialVersionUID = 1L;
    /** How often (in records) a reading task checks whether Spark killed it. */
    private static final int KILL_CHECK_EVERY = 1024;

    private final CheckpointReader reader;
    private final HashMap<String, String> options;
    private final Option<Partitioner> partitioner;

    /**
     * @param reader      the committed checkpoint, opened on the driver
     * @param options     the storage options executors open it with
     * @param partitioner the partitioner of the records, or none
     */
    public CairnCheckpointRDD(SparkContext sc, CheckpointReader reader, CairnOptions options, Option<Partitioner> partitioner) {
        super(sc, noParents(), CairnCheckpointRDD.<T>anyRef());
        this.reader = reader;
        this.options = new HashMap<>(options.asMap());
        this.partitioner = partitioner;
    }

    /** The checkpoint read. */
    public CheckpointReader reader() {
        return reader;
    }

    /** The storage options it is read with. */
    public CairnOptions options() {
        return CairnOptions.of(options);
    }

    // A raw immutable List: it is the Seq the RDD constructor wants under Scala 2.12
    // (scala.collection.Seq) and under 2.13 (scala.collection.immutable.Seq) alike.
    @SuppressWarnings("rawtypes")
    private static scala.collection.immutable.List noParents() {
        return scala.collection.immutable.Nil$.MODULE$;
    }

    @SuppressWarnings("unchecked")
    static <T> ClassTag<T> anyRef() {
        return (ClassTag<T>) ClassTag$.MODULE$.AnyRef();
    }

    @Override
    public Option<Partitioner> partitioner() {
        return partitioner;
    }

    @Override
    public Partition[] getPartitions() {
        Partition[] out = new Partition[reader.numPartitions()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new CheckpointPartition(i);
        }
        return out;
    }

    @Override
    public scala.collection.Iterator<T> compute(Partition split, TaskContext context) {
        PartIterator<T> part = reader.openPart(JvmStorage.registry(CairnOptions.of(options)), split.index());
        context.addTaskCompletionListener((TaskCompletionListener) ctx -> part.close());
        return new scala.collection.AbstractIterator<T>() {
            private long read;

            @Override
            public boolean hasNext() {
                return part.hasNext();
            }

            @Override
            public T next() {
                if (++read % KILL_CHECK_EVERY == 0 && context.isInterrupted()) {
                    throw new TaskKilledException("killed while reading " + reader.location() + " part " + split.index());
                }
                return part.next();
            }
        };
    }
}
