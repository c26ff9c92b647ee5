package dev.cairn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.Pair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The smaller example mains, run in-process on small sizes, checked for what they claim to show. */
class ExampleMainsTest {
    @TempDir
    Path tmp;

    @Test
    void quickStartShowsTheCheckpointFolderAndTheCutLineage() {
        QuickStart.Result r = QuickStart.run(tmp.toString(), 3, 1);
        assertEquals(1000, r.count());
        assertEquals(List.of("_manifest.json", "part-00000", "part-00001", "part-00002", "part-00003"), r.files());
        assertTrue(r.location().getPath().matches(".*/[0-9a-f-]{36}/dataset-\\d+"), r.location().toString());
        assertTrue(Files.isRegularFile(Path.of(r.location()).resolve("_manifest.json")), "kept on disk after the context closed");
        assertTrue(r.lineageBefore().contains("[checkpoint marked]") && r.lineageBefore().contains("RangeDataset"), r.lineageBefore());
        assertTrue(r.lineageAfter().contains("[checkpointed]") && r.lineageAfter().contains("ReliableCheckpointDataset"), r.lineageAfter());
        assertFalse(r.lineageAfter().contains("RangeDataset"), r.lineageAfter());
        assertEquals(List.of(2, 2, 2), r.depths(), "checkpointed every iteration: always the dataset and its checkpoint");
    }

    @Test
    void iterativeLineageGrowsWithoutCheckpointsAndIsCutWithThem() {
        IterativeLineage.Result r = IterativeLineage.run(tmp.toString(), 6, 2);
        assertEquals(List.of(3, 5, 7, 9, 11, 13), r.plainDepths(), "filter + map: two levels per iteration");
        assertEquals(List.of(3, 2, 4, 2, 4, 2), r.checkpointedDepths(), "cut back to the checkpoint every second iteration");
        assertEquals(r.plainSum(), r.checkpointedSum());
        assertEquals(13, r.plainLineage().split("\n").length);
        assertTrue(r.checkpointedLineage().contains("ReliableCheckpointDataset"), r.checkpointedLineage());
    }

    @Test
    void pageRankKeepsTheRankMassBoundsTheLineageAndMatchesAnUncheckpointedRun() {
        PageRank.Result checked = PageRank.run(tmp.toString(), 12, 4, 3_000, 5, 5, 3, 3, 2);
        PageRank.Result plain = PageRank.run(tmp.toString(), 12, 1_000, 3_000, 5, 5, 3, 3, 2);
        assertEquals(3_000, checked.sum(), 1e-6, "every node links somewhere: no rank leaks");
        assertEquals(plain.top(), checked.top(), "checkpoints change no result, to the last bit");
        assertEquals(plain.changes(), checked.changes());
        assertTrue(checked.changes().get(11) < checked.changes().get(0) / 100, "converging: " + checked.changes());
        assertEquals(0, checked.top().get(0).key(), "node 0 attracts the most links");
        for (Pair<Integer, Double> p : checked.top()) {
            assertTrue(p.key() < 3_000 / 20, "the skew puts the top ranks in the lowest 5% of ids: " + checked.top());
        }
        assertEquals(2, checked.depths().get(3));
        assertEquals(2, checked.depths().get(7));
        int deepestChecked = checked.depths().stream().mapToInt(Integer::intValue).max().orElseThrow();
        int deepestPlain = plain.depths().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(deepestChecked < 40 && deepestPlain > 80, "bounded " + checked.depths() + " vs growing " + plain.depths());
    }

    /**
     * {@code --async}: the ranks are those of a run without checkpoints to the last bit, the lineage
     * stays bounded (cut when each background checkpoint commits), and the output shows the uploads
     * in flight per iteration and each commit.
     */
    @Test
    void pageRankWithAsyncCheckpointsMatchesAnUncheckpointedRunAndShowsTheUploads() {
        String[] out = new String[1];
        PageRank.Result async = StandardOutput.capture(out, () -> PageRank.run(tmp.toString(), 12, 4, 3_000, 5, 5, 3, 3, 2, true,
                java.util.Map.of()));
        PageRank.Result plain = PageRank.run(tmp.toString(), 12, 1_000, 3_000, 5, 5, 3, 3, 2);
        assertEquals(plain.top(), async.top());
        assertEquals(plain.changes(), async.changes());
        // One upload in flight at most: marking iteration 8 waits for iteration 4's commit, which cuts the lineage at 4;
        // so no iteration reaches back more than two intervals (7 levels each) past a checkpoint (2 levels).
        int deepest = async.depths().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertTrue(deepest <= 2 + 7 * 2 * 4, "bounded: " + async.depths());
        assertTrue(async.depths().get(11) < plain.depths().get(11) / 2, "cut: " + async.depths() + " vs " + plain.depths());
        List<String> lines = List.of(out[0].split("\n"));
        assertEquals(12, lines.stream().filter(l -> l.startsWith("PageRank") && l.matches(".*uploads in flight [01]\\s*")).count(), out[0]);
        assertTrue(lines.stream().anyMatch(l -> l.contains(" 4/12 ") && l.contains("checkpoint started, uploads in flight 1")), out[0]);
        List<String> commits = lines.stream().filter(l -> l.startsWith("    checkpoint of iteration")).map(l -> l.split(" ")[7]).toList();
        assertEquals(List.of("4", "8", "12"), commits, out[0]);
    }
}
