package dev.cairn.spark.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * This JVM's class path as a list of files: what the cluster's Master, Workers and executors
 * run on, so they load the very Spark, Cairn and test classes the test does (no Spark
 * distribution is installed). Surefire may hand the JVM a single "manifest-only" jar whose
 * {@code Class-Path} lists the real entries; those are expanded.
 */
public final class TestClassPath {
    private TestClassPath() {
    }

    /** The entries, in order, without duplicates. */
    public static List<String> entries() {
        Set<String> out = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                out.add(e);
            }
        }
        if (out.size() == 1 && out.iterator().next().endsWith(".jar")) {
            out.addAll(manifestClassPath(Path.of(out.iterator().next())));
        }
        return new ArrayList<>(out);
    }

    /** {@link #entries()} joined with the path separator. */
    public static String asString() {
        return String.join(File.pathSeparator, entries());
    }

    private static List<String> manifestClassPath(Path jar) {
        List<String> out = new ArrayList<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (cp == null) {
                return out;
            }
            for (String entry : cp.trim().split("\\s+")) {
                // manifest entries are URLs relative to the jar's folder
                URI uri = jar.toAbsolutePath().getParent().toUri().resolve(entry);
                out.add(Path.of(uri).toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the manifest of " + jar, e);
        }
        return out;
    }
}
