package dev.cairn.spark.streaming;

/**
 * Throws checked exceptions from methods of Spark's Scala trait, which declare none. Spark's
 * callers catch them by type ({@code FileNotFoundException}, Hadoop's
 * {@code FileAlreadyExistsException}), so wrapping them in an unchecked exception would change
 * what Spark does; Scala code throws them undeclared the same way.
 */
final class Unchecked {
    private Unchecked() {
    }

    /** Throws {@code e} as it is; the return type only lets callers write {@code throw Unchecked.rethrow(e)}. */
    static RuntimeException rethrow(Throwable e) {
        throw Unchecked.<RuntimeException>sneaky(e);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable e) throws E {
        throw (E) e;
    }
}
