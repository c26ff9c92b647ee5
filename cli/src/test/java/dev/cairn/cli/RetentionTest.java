package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointScanner;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which checkpoints {@code gc --keep-last} picks, on scans built by hand: cases the process tests do not reach. */
class RetentionTest {
    private static final URI RUN = URI.create("s3://bucket/runs/pagerank");

    private static CheckpointScanner.Entry loopCheckpoint(String context, int id, int iteration, String dataset, long createdSecond) {
        Map<String, String> metadata = Map.of(Retention.ITERATION, Integer.toString(iteration), Retention.DATASET, dataset,
                Retention.DATASETS, "ranks,links");
        CheckpointManifest m = new CheckpointManifest(2, id, null, "MapDataset[" + id + "]", "app", context, 0, List.of(), "kryo",
                "none", Instant.ofEpochSecond(createdSecond), null, 0, metadata, CheckpointManifest.DEFAULT_BLOCK_SIZE);
        URI location = URI.create(RUN + "/" + context + "/dataset-" + id);
        return new CheckpointScanner.Entry(location, true, m, null, List.of(), List.of(), List.of(), Instant.ofEpochSecond(createdSecond));
    }

    private static List<String> planned(List<CheckpointScanner.Entry> entries, int keep) {
        List<String> out = new ArrayList<>();
        Retention.plan(new CheckpointScanner.Scan(RUN, entries, List.of()), keep)
                .forEach(d -> out.add(d.entry().location().toString().substring(RUN.toString().length() + 1)));
        return out.stream().sorted().toList();
    }

    @Test
    void onlyCompleteIterationsCountAndANewerIncompleteOneIsKept() {
        List<CheckpointScanner.Entry> entries = List.of(
                loopCheckpoint("c1", 1, 1, "ranks", 10), loopCheckpoint("c1", 2, 1, "links", 11),
                loopCheckpoint("c1", 3, 2, "ranks", 20),                                            // iteration 2 incomplete: its writer died
                loopCheckpoint("c2", 1, 3, "ranks", 30), loopCheckpoint("c2", 2, 3, "links", 31),
                loopCheckpoint("c2", 3, 4, "ranks", 40));                                           // iteration 4 being written now
        // keep 1 complete iteration (3); 4 is newer and kept; 2 (incomplete) and 1 are older and go
        assertEquals(List.of("c1/dataset-1", "c1/dataset-2", "c1/dataset-3"), planned(entries, 1));
        assertEquals(List.of(), planned(entries, 2), "iterations 3 and 1 are the 2 complete ones; 2 and 4 lie between or above");
    }

    @Test
    void checkpointsWithoutLoopMetadataAreKeptPerParentDirectory() {
        List<CheckpointScanner.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CheckpointManifest m = new CheckpointManifest(2, i, null, null, null, null, 0, List.of(), "kryo", "none",
                    Instant.ofEpochSecond(100 + i), null, 0, Map.of(), CheckpointManifest.DEFAULT_BLOCK_SIZE);
            for (String parent : List.of("a", "b")) {
                entries.add(new CheckpointScanner.Entry(URI.create(RUN + "/" + parent + "/ckpt-" + i), true, m, null, List.of(), List.of(),
                        List.of(), Instant.EPOCH));
            }
        }
        assertEquals(List.of("a/ckpt-0", "a/ckpt-1", "b/ckpt-0", "b/ckpt-1"), planned(entries, 1));
    }

    @Test
    void parentStopsAtTheRootOfTheStore() {
        assertEquals(URI.create("s3://bucket"), Retention.parent(URI.create("s3://bucket/a")));
        assertNull(Retention.parent(URI.create("s3://bucket")));
        assertNull(Retention.parent(URI.create("file:///tmp")));
        assertEquals(URI.create("file:///tmp"), Retention.parent(URI.create("file:///tmp/a")));
    }
}
