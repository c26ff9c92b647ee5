package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Core in one JVM with what Spark 3.5 puts on the class path: Kryo 4 ({@code kryo-shaded 4.0.2},
 * in package {@code com.esotericsoftware.kryo}) and Jackson 2.15.2. A child JVM gets exactly
 * core's classes, its own dependencies (kryo5, slf4j) and those jars — Jackson 2.15.2 instead of
 * the 2.15.4 core is built with — uses Kryo 4 itself, and runs a checkpoint round trip.
 */
class SparkClasspathTest {

    @Test
    void aCheckpointRoundTripsBesideKryo4AndJackson215(@TempDir Path dir) throws Exception {
        Path jars = Path.of("target", "spark35-classpath");
        assertTrue(Files.isDirectory(jars), "maven-dependency-plugin copies Spark 3.5's kryo-shaded and jackson-core to " + jars);
        List<String> cp = new ArrayList<>();
        cp.add(Path.of("target", "classes").toAbsolutePath().toString());
        cp.add(Path.of("target", "test-classes").toAbsolutePath().toString());
        try (Stream<Path> s = Files.list(jars)) {
            s.map(p -> p.toAbsolutePath().toString()).sorted().forEach(cp::add);
        }
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.contains("kryo5") || entry.contains("slf4j-api")) {
                cp.add(entry); // core's own dependencies; not its jackson-core 2.15.4
            }
        }
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", String.join(File.pathSeparator, cp), SparkClasspathMain.class.getName(), dir.toUri().toString())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(2, TimeUnit.MINUTES), out);
        assertEquals(0, child.exitValue(), out);
        assertTrue(out.contains("jackson-core 2.15.2"), out);
        assertTrue(out.contains("kryo-shaded-4.0.2.jar) wrote"), "Spark's Kryo 4 in the same JVM: " + out);
        assertTrue(out.contains("round trip: 1000 records, sum 499500"), out);
    }
}
