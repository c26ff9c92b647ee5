package dev.cairn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest of 100,000 parts (about 11 MB of JSON) is read in a heap far smaller than twice its
 * text plus its parts: the reader parses the stream and never holds the JSON. Before, the whole
 * file was read into memory first (and copied once more while reading), and this child JVM ran
 * out of memory. Takes about 20 s on the shared 2-core machine, most of it the child JVM.
 */
class ManifestMemoryTest {
    static final int PARTS = 100_000;
    /**
     * Fits the parsed parts (about 11 MB live after a GC) and the JVM's own needs, not also the
     * text of the manifest: measured on 2026-12-02, the streaming read passes from -Xmx17m, the
     * whole-file read of before needs -Xmx23m.
     */
    static final String HEAP = "-Xmx20m";

    @Test
    void manifestOf100000PartsIsReadInASmallHeap(@TempDir Path dir) throws Exception {
        List<CheckpointManifest.Part> parts = new ArrayList<>(PARTS);
        for (int i = 0; i < PARTS; i++) {
            parts.add(new CheckpointManifest.Part(CheckpointManifest.partName(i), 1_000_000L + i, 10_000, 3_000_000_000L + i));
        }
        CheckpointManifest manifest = new CheckpointManifest(CheckpointManifest.FORMAT_VERSION, 7, "big", "RangeDataset[7]", "app",
                "ctx", PARTS, parts, "kryo", "none", Instant.parse("2026-12-02T00:00:00Z"), null, 0, Map.of(),
                CheckpointManifest.DEFAULT_BLOCK_SIZE);
        Path file = dir.resolve(CheckpointManifest.FILE_NAME);
        try (OutputStream out = Files.newOutputStream(file)) {
            manifest.writeJson(out);
        }
        long size = Files.size(file);
        assertTrue(size > 10_000_000, "expected a manifest over 10 MB, found " + size + " bytes");

        String output = runChild(dir);
        assertTrue(output.startsWith("parts=" + PARTS + " records=" + PARTS * 10_000L + " "),
                "expected the child to read all " + PARTS + " parts with " + HEAP + ", found: " + output);
    }

    private static String runChild(Path dir) throws Exception {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                ManifestMemoryChild.class.getName(), dir.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "expected the child to finish");
        String text = new String(out, StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), "expected the child to exit 0, found " + p.exitValue() + ": " + text);
        return text;
    }
}
