package dev.cairn.serde;

/**
 * Decides, while writing, whether a reader will be able to load a class by the name a stream
 * records for it. Both formats write class names, and a name nobody can load makes every record
 * after it unreadable: a lambda's hidden class ({@code Foo$$Lambda$83/0x0000000800c0b000}) exists
 * only in the JVM that spun it, and a class the reader's class loader cannot see fails the same way.
 * Plain Kryo writes such names happily and fails only when the checkpoint is read back, which is the
 * worst moment to learn about it. Each serializer asks once per class per stream, so the check costs
 * one class lookup per class, not per record.
 */
final class LoadableClasses {
    private LoadableClasses() {
    }

    /** Why a class cannot be read back, and what the user can do about it. */
    record Problem(String what, String hint) {
    }

    /**
     * {@code null} when {@code type} can be loaded by its name through {@code loader} or, failing
     * that, {@code fallback} (the two loaders the readers try), else what is wrong with it.
     */
    static Problem problem(Class<?> type, ClassLoader loader, ClassLoader fallback) {
        Class<?> element = type;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        if (element.isPrimitive()) {
            return null;
        }
        if (element.isHidden()) {
            return isLambda(element)
                    ? new Problem("a lambda whose class is hidden, so no other JVM can load it by name", LAMBDA_HINT)
                    : new Problem("a hidden class, so no other JVM can load it by name", "use a named class instead");
        }
        if (loads(element, loader) || (fallback != loader && loads(element, fallback))) {
            return null;
        }
        return new Problem("not loadable by name through the serializer's class loader " + loader,
                "create the serializer with a class loader that sees the class (for a context: make it the thread"
                        + " context class loader when building the context)");
    }

    /** What to do with a lambda that cannot be written. */
    static final String LAMBDA_HINT = "make the lambda Serializable, e.g. (Function<A, B> & Serializable) x -> ..., or use"
            + " a named class instead";

    /** Whether {@code name} is that of a lambda's class, as the JDK names them. */
    static boolean isLambda(Class<?> type) {
        return type.isSynthetic() && type.getName().contains("$$Lambda");
    }

    /** Whether a class named {@code name} (as {@link Class#getName()} gives it) is a hidden class: its name holds a '/'. */
    static boolean isHiddenName(String name) {
        return name.indexOf('/') >= 0;
    }

    private static boolean loads(Class<?> type, ClassLoader loader) {
        try {
            Class.forName(type.getName(), false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
