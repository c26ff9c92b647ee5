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
}
