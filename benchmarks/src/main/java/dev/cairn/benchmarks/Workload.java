package dev.cairn.benchmarks;

import java.util.Random;

/**
 * The records every benchmark uses, so that JMH figures, the side-by-side runs and Spark's run
 * measure the same bytes: a point is {@code (long id, double[4] features)}, written as a pair of a
 * boxed {@code Long} and a {@code double[]}: Cairn's {@code dev.cairn.Pair} in Cairn's runs,
 * {@code scala.Tuple2} in Spark's (its idiomatic pair, whose Kryo and Java encodings are what Spark
 * users get). This class has no Cairn dependency, so Spark's run can use it too.
 */
public final class Workload {
    /** Bytes in one large record of the large-record runs. */
    public static final int BLOB_BYTES = 1 << 20;

    private Workload() {
    }

    /** The features of point {@code id}: cheap, deterministic, and not trivially compressible. */
    public static double[] features(long id) {
        return new double[] {id * 0.5, Math.sqrt(id), (id % 1000) / 7.0, -id - 0.25};
    }

    /** One large record: {@value #BLOB_BYTES} random (incompressible) bytes, the same for a given seed. */
    public static byte[] blob(long seed) {
        byte[] b = new byte[BLOB_BYTES];
        new Random(seed).nextBytes(b);
        return b;
    }
}
