package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.ml.ResumableLoop;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line on {@code file://}: the shared contract, plus what needs no particular store:
 * usage errors, record classes from {@code --classpath}, ResumableLoop runs, a checkpoint
 * directory holding a directory.
 */
class LocalCliIT extends CliContract {
    @TempDir
    static Path root;

    @Override
    URI root() {
        return URI.create("file://" + root.toAbsolutePath());
    }

    @Override
    Map<String, String> options() {
        return Map.of();
    }

    @Override
    byte[] read(URI file) throws Exception {
        return Files.readAllBytes(Path.of(file));
    }

    @Override
    void write(URI file, byte[] data) throws Exception {
        Files.write(Path.of(file), data);
    }

    @Override
    void delete(URI file) throws Exception {
        Files.delete(Path.of(file));
    }

    @Override
    boolean exists(URI file) {
        return Files.exists(Path.of(file));
    }

    @Test
    void usageErrorsPrintTheUsageAndExitTwo(TestInfo test) {
        String dir = dir(test).toString();
        CairnProcess.Result none = CairnProcess.run().exits(2);
        assertTrue(none.stderr().contains("Missing command") && none.stderr().contains("Usage: cairn"), none::toString);
        CairnProcess.Result unknown = CairnProcess.run("frobnicate", dir).exits(2);
        assertTrue(unknown.stderr().contains("frobnicate") && unknown.stderr().contains("Usage: cairn"), unknown::toString);
        CairnProcess.Result option = CairnProcess.run("ls", "--bogus", dir).exits(2);
        assertTrue(option.stderr().contains("--bogus") && option.stderr().contains("Usage: cairn ls"), option::toString);
        CairnProcess.Result missing = CairnProcess.run("verify").exits(2);
        assertTrue(missing.stderr().contains("LOCATION") && missing.stderr().contains("Usage: cairn verify"), missing::toString);
        CairnProcess.Result scheme = CairnProcess.run("ls", "foo://bucket/ckpt").exits(2);
        assertTrue(scheme.stderr().contains("Unknown URI scheme 'foo'") && scheme.stderr().contains("s3")
                && scheme.stderr().contains("Usage: cairn ls"), scheme::toString);
        CairnProcess.Result key = CairnProcess.run("ls", "-o", "cairn.s3.endpiont=http://127.0.0.1:1", dir).exits(2);
        assertTrue(key.stderr().contains("did you mean 'cairn.s3.endpoint'"), key::toString);
        CairnProcess.Result age = CairnProcess.run("gc", "--older-than", "soon", dir).exits(2);
        assertTrue(age.stderr().contains("--older-than") && age.stderr().contains("'soon'"), age::toString);
        CairnProcess.Result slash = CairnProcess.run("ls", "s3:/bucket/ckpt").exits(2);
        assertTrue(slash.stderr().contains("did you forget a slash?"), slash::toString);
        assertEquals(0, CairnProcess.run("--version").exits(0).exit());
        CairnProcess.Result help = CairnProcess.run("help", "verify").exits(0);
        assertTrue(help.stdout().contains("--expect-partitions"), help::toString);
    }

    @Test
    void gcDryRunPrintsExactlyWhatGcDeletes(TestInfo test) throws Exception {
        URI dir = dir(test);
        URI dead;
        try (CairnContext ctx = context(dir)) {
            dead = checkpoint(ctx, 20, 2, Map.of());
        }
        delete(file(dead, "_manifest.json"));
        CairnProcess.Result dry = cairn("gc", "--dry-run", "--older-than", "0s", dir.toString()).exits(0);
        assertEquals(1, dry.lines().size(), dry::toString);
        assertTrue(dry.lines().get(0).startsWith("would delete " + dead + "  (uncommitted checkpoint, 2 files, last written "), dry::toString);
        assertTrue(exists(file(dead, "part-00001")));
        CairnProcess.Result gc = cairn("gc", "--older-than", "0s", dir.toString()).exits(0);
        assertEquals(List.of(dry.lines().get(0).replaceFirst("^would delete ", "deleted ")), gc.lines(), gc::toString);
        assertFalse(exists(file(dead, "part-00001")));
    }

    @Test
    void aLocalPathNeedsNoScheme(TestInfo test) {
        URI loc;
        try (CairnContext ctx = context(dir(test))) {
            loc = checkpoint(ctx, 10, 2, Map.of());
        }
        CairnProcess.Result r = CairnProcess.run("ls", Path.of(dir(test)).toString()).exits(0);
        assertTrue(r.stdout().startsWith(loc + " "), r::toString);
    }

    @Test
    void recordClassesComeFromTheClasspathOption(TestInfo test) throws Exception {
        URI loc;
        try (CairnContext ctx = context(dir(test))) {
            Dataset<Reading> readings = ctx.parallelize(List.of(new Reading("a", 1.5), new Reading("b", 2.5)), 2);
            readings.checkpoint(CheckpointMode.EAGER);
            loc = readings.checkpointLocation().orElseThrow();
        }
        CairnProcess.Result without = CairnProcess.run("cat", loc.toString()).exits(1);
        assertTrue(without.stderr().contains("dev.cairn.cli.Reading") && without.stderr().contains(loc + "/part-00000"),
                without::toString);
        String classes = Path.of(Reading.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        CairnProcess.Result with = CairnProcess.run("cat", "--classpath", classes, loc.toString()).exits(0);
        assertEquals(List.of("Reading[sensor=a, value=1.5]", "Reading[sensor=b, value=2.5]"), with.lines());

        // verify checks the bytes without the classes, and counts the records with them
        CairnProcess.Result bytesOnly = CairnProcess.run("verify", loc.toString()).exits(0);
        assertTrue(bytesOnly.stderr().contains("not counted") && bytesOnly.stderr().contains("--classpath"), bytesOnly::toString);
        JsonNode counted = CairnProcess.run("verify", "--json", "--classpath", classes, loc.toString()).exits(0).json();
        assertTrue(counted.get("recordsChecked").asBoolean());
        assertEquals(2, counted.get("records").asLong());
    }

    @Test
    void catDecodesJavaSerializedRecords(TestInfo test) {
        URI loc;
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(dir(test).toString())
                .option("cairn.serializer", "java").build()) {
            Dataset<String> words = ctx.parallelize(List.of("alpha", "beta\ngamma"), 1);
            words.checkpoint(CheckpointMode.EAGER);
            loc = words.checkpointLocation().orElseThrow();
        }
        assertEquals(List.of("alpha", "beta\\ngamma"), CairnProcess.run("cat", loc.toString()).exits(0).lines(),
                "one record per line: a line break inside a record is escaped");
        assertEquals(List.of("alpha"), CairnProcess.run("cat", "--limit", "1", loc.toString()).exits(0).lines());
    }

    @Test
    void gcKeepLastKeepsWholeIterationsOfAResumableLoopRunAcrossRestarts(TestInfo test) throws Exception {
        URI run = dir(test);
        // Two processes worked on the run: the first stopped after iteration 3, the second resumed to 6.
        for (int max : new int[] {3, 6}) {
            try (CairnContext ctx = CairnContext.builder().parallelism(2).build()) {
                ResumableLoop.<Long>forDataset(ctx).runDirectory(run).checkpointInterval(1).maxIterations(max).keep(10).build()
                        .run(() -> ctx.range(0, 10, 2), (i, state) -> state.map(x -> x + 1));
            }
        }
        JsonNode before = CairnProcess.run("ls", "--json", run.toString()).exits(0).json();
        TreeSet<Integer> iterations = new TreeSet<>();
        TreeSet<String> contexts = new TreeSet<>();
        for (JsonNode c : before.get("checkpoints")) {
            iterations.add(c.get("metadata").get("cairn.loop.iteration").asInt());
            contexts.add(Retention.parent(URI.create(c.get("location").asText())).toString());
        }
        assertEquals(2, contexts.size(), "checkpoints of two contexts: " + before);
        assertEquals(new TreeSet<>(IntStream.rangeClosed(1, 6).boxed().toList()), iterations, before::toString);

        cairn("gc", "--keep-last", "2", run.toString()).exits(0);
        JsonNode after = CairnProcess.run("ls", "--json", run.toString()).exits(0).json();
        List<Integer> left = new ArrayList<>();
        after.get("checkpoints").forEach(c -> left.add(c.get("metadata").get("cairn.loop.iteration").asInt()));
        assertEquals(List.of(5, 6), left.stream().sorted().toList(), "the newest 2 iterations of the run, across both contexts");

        // and the loop resumes from what gc left
        try (CairnContext ctx = CairnContext.builder().parallelism(2).build()) {
            ResumableLoop.Result<Dataset<Long>> result = ResumableLoop.<Long>forDataset(ctx).runDirectory(run).checkpointInterval(1)
                    .maxIterations(7).keep(10).build().run(() -> ctx.range(0, 10, 2), (i, state) -> state.map(x -> x + 1));
            assertEquals(List.of(7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L), result.state().collect());
        }
    }

    @Test
    void gcLeavesAnUncommittedCheckpointHoldingADirectoryAlone(TestInfo test) throws Exception {
        Path dir = Path.of(dir(test)).resolve("context-1").resolve("dataset-7");
        Files.createDirectories(dir.resolve("results"));
        Files.writeString(dir.resolve("part-00000"), "debris");
        Files.writeString(dir.resolve("results").resolve("model.bin"), "a person's file");
        CairnProcess.Result r = CairnProcess.run("gc", "--older-than", "0s", dir(test).toString()).exits(0);
        assertEquals(List.of(), r.lines(), r::toString);
        assertTrue(r.stderr().contains("holding directories"), r::toString);
        assertTrue(Files.exists(dir.resolve("results").resolve("model.bin")));
        assertTrue(Files.exists(dir.resolve("part-00000")));
    }
}
