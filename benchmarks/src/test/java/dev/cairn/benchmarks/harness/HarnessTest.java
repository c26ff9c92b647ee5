package dev.cairn.benchmarks.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the harness honest without running a benchmark: parsing, medians, and one tiny Cairn run. */
class HarnessTest {

    @Test
    void countsAcceptSuffixes() {
        assertEquals(5_000_000, Args.parseCount("5M"));
        assertEquals(100_000, Args.parseCount("100k"));
        assertEquals(2048, Args.parseCount("2_048"));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3.0, SideBySide.median(List.of(5.0, 1.0, 3.0)));
        assertEquals(2.5, SideBySide.median(List.of(4.0, 1.0, 2.0, 3.0)));
    }

    @Test
    void resultLineRoundTrips() {
        Map<String, String> parsed = Result.parse("RESULT a=1 b=2.5");
        assertEquals(Map.of("a", "1", "b", "2.5"), parsed);
        assertNull(Result.parse("INFO something else"));
    }

    @Test
    void cairnRunComputesEachRecordOnceAndReportsItsFigures(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            CairnRun.main(new String[] {"--records", "20000", "--partitions", "4", "--fsync", "false", "--dir", dir.toString()});
        } finally {
            System.setOut(stdout);
        }
        Map<String, String> result = null;
        for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
            Map<String, String> r = Result.parse(line.trim());
            if (r != null) {
                result = r;
            }
        }
        assertNotNull(result, captured.toString(StandardCharsets.UTF_8));
        assertEquals("20000", result.get("mapCalls"));
        assertEquals("20000", result.get("mapCallsTotal"), "the second count reads the checkpoint");
        assertTrue(Long.parseLong(result.get("partBytes")) > 20000 * 30L);
    }
}
