package dev.cairn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a {@link CheckpointListener} hears of a checkpoint's parts: {@code partWritten} promises
 * "one part file was published", for every part, whatever the mode. The crash test needs it to
 * stop a writer between its parts and its manifest ({@link CrashableAls}).
 */
class AsyncCheckpointListenerTest {
    @TempDir
    Path tmp;

    @Test
    void anEagerCheckpointReportsEveryPart() {
        assertEquals(Set.of("part-00000", "part-00001", "part-00002", "part-00003"), partsReported(CheckpointMode.EAGER));
    }

    @Test
    void anAsyncCheckpointReportsEveryPart() {
        assertEquals(Set.of("part-00000", "part-00001", "part-00002", "part-00003"), partsReported(CheckpointMode.ASYNC));
    }

    private Set<String> partsReported(CheckpointMode mode) {
        Set<String> parts = new ConcurrentSkipListSet<>();
        CheckpointListener listener = new CheckpointListener() {
            @Override
            public void partWritten(String dataset, URI location, CheckpointManifest.Part part) {
                parts.add(part.name());
            }
        };
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(tmp.toUri()).checkpointListener(listener).build()) {
            Dataset<Long> ds = ctx.range(0, 1_000, 4).map(x -> x * 3);
            ds.checkpoint(mode);
            assertEquals(1_000, ds.count());
            URI location = ds.awaitCheckpoint();
            List<String> onDisk = List.of(new java.io.File(location).list());
            assertEquals(5, onDisk.size(), "four parts and the manifest: " + onDisk);
        }
        return new TreeSet<>(parts);
    }
}
