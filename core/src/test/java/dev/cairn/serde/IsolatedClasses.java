package dev.cairn.serde;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Classes compiled while the tests run, into a directory that no class loader of the test sees:
 * each {@link #freshLoader()} defines its own copy of them, as a new JVM would. So a value written
 * through one loader and read through another proves that nothing of the writer's classes (a
 * lambda's hidden class, say) is needed to read it back.
 */
final class IsolatedClasses {
    static final String FIXTURES = "isolated.Fixtures";
    static final String HOLDER = "isolated.Fixtures$Holder";
    static final String UNTOUCHED = "isolated.Fixtures$Untouched";
    /** The system property the static initialiser of {@link #UNTOUCHED} sets. */
    static final String UNTOUCHED_PROPERTY = "cairn.isolated.untouched";

    private static final String SOURCE = """
            package isolated;

            import java.io.Serializable;
            import java.util.function.LongUnaryOperator;

            public final class Fixtures {
                /** The record of issue 14: an id and a payload that may be a lambda. */
                public record Holder(long id, Object payload) implements Serializable {
                }

                public static Object serializableLambda(long k) {
                    return new Holder(7, (LongUnaryOperator & Serializable) x -> x + k);
                }

                public static Object plainLambda(long k) {
                    LongUnaryOperator f = x -> x + k;
                    return new Holder(8, f);
                }

                public static Object plain(long id) {
                    return new Holder(id, "text");
                }

                /** Sets system property INITIALISED when its class is initialised in some loader. */
                @SuppressWarnings("serial")
                public static final class Untouched implements Serializable {
                    static {
                        System.setProperty("cairn.isolated.untouched", "initialised");
                    }
                }

                public static Class<?> untouched() {
                    return Untouched.class;
                }

                public static long apply(Object holder, long x) {
                    return ((LongUnaryOperator) ((Holder) holder).payload()).applyAsLong(x);
                }
            }
            """;

    private static Path classes;

    private IsolatedClasses() {
    }

    /** A new class loader with its own copy of the fixtures; everything else comes from the test's loader. */
    static URLClassLoader freshLoader() {
        try {
            return new URLClassLoader(new URL[] {classes().toUri().toURL()}, IsolatedClasses.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Calls static method {@code name} of the fixtures as {@code loader} defines them. */
    static Object call(ClassLoader loader, String name, Object... args) {
        try {
            Class<?> fixtures = loader.loadClass(FIXTURES);
            for (var m : fixtures.getMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                    return m.invoke(null, args);
                }
            }
            throw new NoSuchMethodException(name);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static synchronized Path classes() {
        if (classes != null) {
            return classes;
        }
        try {
            Path dir = Files.createTempDirectory("cairn-isolated-");
            Path source = Files.createDirectories(dir.resolve("src/isolated")).resolve("Fixtures.java");
            Files.writeString(source, SOURCE, StandardCharsets.UTF_8);
            Path out = Files.createDirectories(dir.resolve("classes"));
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            int status = javac.run(null, null, null, "--release", "17", "-d", out.toString(), source.toString());
            if (status != 0) {
                throw new IllegalStateException("javac failed with status " + status);
            }
            deleteOnExit(dir);
            classes = out;
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteOnExit(Path dir) throws IOException {
        // Registered parents first: deleteOnExit deletes in reverse order of registration.
        try (var paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted()::iterator) {
                p.toFile().deleteOnExit();
            }
        }
    }
}
