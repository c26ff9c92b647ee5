package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * What every command must do on every store, run against {@code cli/target/cairn} as a child
 * process: checkpoints are written with core's public API, damaged with the store's own client,
 * and the command's exit code and output (text and {@code --json}) are checked.
 */
abstract class CliContract {

    /** The directory this class's checkpoints go under. */
    abstract URI root();

    /** The options that reach the store, for the writing context and for {@code -o}. */
    abstract Map<String, String> options();

    /** A file's bytes, read with the store's own client. */
    abstract byte[] read(URI file) throws Exception;

    /** Creates or replaces a file with the store's own client. */
    abstract void write(URI file, byte[] data) throws Exception;

    /** Deletes a file with the store's own client. */
    abstract void delete(URI file) throws Exception;

    /** Whether a file exists. */
    abstract boolean exists(URI file) throws Exception;

    /** A fresh directory for one test. */
    URI dir(TestInfo test) {
        return URI.create(root() + "/" + test.getTestMethod().orElseThrow().getName());
    }

    CairnContext context(URI checkpointDir) {
        return CairnContext.builder().parallelism(2).checkpointDir(checkpointDir.toString()).options(options()).build();
    }

    /** Checkpoints {@code records} longs in {@code partitions} partitions, eagerly; returns the location. */
    static URI checkpoint(CairnContext ctx, long records, int partitions, Map<String, String> metadata) {
        Dataset<Long> ds = ctx.range(0, records, partitions);
        ds.checkpoint(CheckpointMode.EAGER, metadata);
        return ds.checkpointLocation().orElseThrow();
    }

    static URI file(URI location, String name) {
        return URI.create(location + "/" + name);
    }

    /** Runs {@code cairn command -o k=v… args…}; no secret may appear in what it prints. */
    CairnProcess.Result cairn(String command, String... args) {
        List<String> all = new ArrayList<>();
        all.add(command);
        options().forEach((k, v) -> {
            all.add("-o");
            all.add(k + "=" + v);
        });
        all.addAll(Arrays.asList(args));
        CairnProcess.Result r = CairnProcess.run(all);
        options().forEach((k, v) -> {
            if (Redactor.isSecret(k)) {
                assertFalse(r.stdout().contains(v) || r.stderr().contains(v), () -> "secret " + k + " printed:\n" + r);
            }
        });
        return r;
    }

    /** The stdout lines that start with {@code prefix}. */
    static List<String> linesStartingWith(CairnProcess.Result r, String prefix) {
        return r.lines().stream().filter(l -> l.startsWith(prefix)).toList();
    }

    static Set<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.get(field).asText()).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void lsListsEveryCheckpointWithItsState(TestInfo test) throws Exception {
        URI dir = dir(test);
        URI four;
        URI two;
        URI broken;
        try (CairnContext ctx = context(dir)) {
            four = checkpoint(ctx, 100, 4, Map.of());
            two = checkpoint(ctx, 10, 2, Map.of());
            broken = checkpoint(ctx, 30, 3, Map.of());
        }
        delete(file(broken, "_manifest.json")); // a writer killed before its commit leaves this

        CairnProcess.Result r = cairn("ls", dir.toString()).exits(0);
        assertEquals(3, r.lines().size(), r::toString);
        for (String line : r.lines()) {
            String[] f = line.split("\\s+");
            if (f[0].equals(four.toString())) {
                assertEquals(List.of("committed", "4", "100"), List.of(f[1], f[2], f[3]), line);
                assertTrue(Long.parseLong(f[4]) > 0, line);
                Instant.parse(f[5]);
            } else if (f[0].equals(two.toString())) {
                assertEquals(List.of("committed", "2", "10"), List.of(f[1], f[2], f[3]), line);
            } else {
                assertEquals(broken.toString(), f[0], line);
                assertEquals(List.of("uncommitted", "3", "-"), List.of(f[1], f[2], f[3]), line);
                assertTrue(Long.parseLong(f[4]) > 0, line);
                assertEquals("-", f[5], line);
            }
        }

        JsonNode json = cairn("ls", "--json", dir.toString()).exits(0).json();
        assertEquals(dir.toString(), json.get("directory").asText());
        assertEquals(3, json.get("checkpoints").size());
        for (JsonNode c : json.get("checkpoints")) {
            boolean committed = !c.get("location").asText().equals(broken.toString());
            assertEquals(committed ? "committed" : "uncommitted", c.get("state").asText(), c::toString);
            assertEquals(committed, c.get("committed").asBoolean());
            assertEquals(committed, !c.get("records").isNull(), c::toString);
        }
    }

    @Test
    void inspectShowsTheManifestAndRefusesAnUncommittedCheckpoint(TestInfo test) throws Exception {
        URI loc;
        URI uncommitted;
        try (CairnContext ctx = context(dir(test))) {
            loc = checkpoint(ctx, 30, 3, Map.of("seed", "42"));
            uncommitted = checkpoint(ctx, 10, 2, Map.of());
        }
        delete(file(uncommitted, "_manifest.json"));

        CairnProcess.Result r = cairn("inspect", loc.toString()).exits(0);
        assertTrue(r.stdout().matches("(?s).*partitions +3\n.*"), r::toString);
        assertTrue(r.stdout().matches("(?s).*serializer +kryo\n.*"), r::toString);
        assertTrue(r.stdout().contains("seed=42"), r::toString);
        assertEquals(3, linesStartingWith(r, "  part-0000").size(), r::toString);

        JsonNode json = cairn("inspect", "--json", loc.toString()).exits(0).json();
        assertEquals(loc.toString(), json.get("location").asText());
        JsonNode manifest = json.get("manifest");
        assertEquals(3, manifest.get("numPartitions").asInt());
        assertEquals(30, StreamSupport.stream(manifest.get("parts").spliterator(), false).mapToLong(p -> p.get("records").asLong()).sum());
        assertTrue(manifest.get("parts").get(0).get("crc32c").isNumber());
        assertEquals("42", manifest.get("metadata").get("seed").asText());

        CairnProcess.Result missing = cairn("inspect", "--json", uncommitted.toString()).exits(1);
        assertTrue(missing.stderr().contains(uncommitted + "/_manifest.json"), missing::toString);
        assertTrue(missing.stderr().contains("uncommitted checkpoint"), missing::toString);
        JsonNode error = missing.json().get("error");
        assertEquals("missing", error.get("kind").asText());
        assertEquals("_manifest.json", error.get("file").asText());
    }

    @Test
    void verifyPassesAnIntactCheckpoint(TestInfo test) {
        URI loc;
        try (CairnContext ctx = context(dir(test))) {
            loc = checkpoint(ctx, 500, 5, Map.of());
        }
        CairnProcess.Result r = cairn("verify", loc.toString()).exits(0);
        assertEquals(1, r.lines().size(), r::toString);
        assertTrue(r.stdout().startsWith("Verified checkpoint of dataset "), r::toString);
        assertTrue(r.stdout().contains("5 parts, 500 records"), r::toString);
        assertTrue(r.stderr().contains("verify: 5 of 5 parts"), "plain progress lines when not on a terminal:\n" + r);

        JsonNode json = cairn("verify", "--json", loc.toString()).exits(0).json();
        assertTrue(json.get("ok").asBoolean());
        assertEquals(500, json.get("records").asLong());
        assertEquals(5, json.get("partsIntact").asInt());
        assertEquals(0, json.get("problems").size());
    }

    @Test
    void verifyReportsEveryProblemNamingFileExpectedAndFound(TestInfo test) throws Exception {
        URI loc;
        try (CairnContext ctx = context(dir(test))) {
            loc = checkpoint(ctx, 6_000, 6, Map.of());
        }
        delete(file(loc, "part-00001"));                               // missing
        byte[] two = read(file(loc, "part-00002"));
        write(file(loc, "part-00002"), Arrays.copyOf(two, two.length / 2)); // truncated
        byte[] three = read(file(loc, "part-00003"));
        three[three.length / 2] ^= 0x5a;
        write(file(loc, "part-00003"), three);                         // corrupt, same length
        write(file(loc, "part-00006"), "left over".getBytes(StandardCharsets.UTF_8)); // extra
        write(file(loc, "part-00007"), "left over".getBytes(StandardCharsets.UTF_8)); // extra, and 7 part files for 6 partitions

        CairnProcess.Result r = cairn("verify", loc.toString(), "--expect-partitions", "4").exits(1);
        assertEquals(1, linesStartingWith(r, "missing").size(), r::toString);
        assertTrue(linesStartingWith(r, "missing").get(0).contains(loc + "/part-00001"), r::toString);
        String truncated = linesStartingWith(r, "truncated").get(0);
        assertTrue(truncated.contains(loc + "/part-00002") && truncated.contains("expected " + two.length + " bytes, found "
                + two.length / 2), r::toString);
        String corrupt = linesStartingWith(r, "corrupt").get(0);
        assertTrue(corrupt.contains(loc + "/part-00003") && corrupt.contains("CRC32C"), r::toString);
        assertEquals(2, linesStartingWith(r, "extra").size(), r::toString);
        assertEquals(2, linesStartingWith(r, "count").size(), r::toString);
        String last = r.lines().get(r.lines().size() - 1);
        assertTrue(last.startsWith("Cannot verify checkpoint of dataset ") && last.contains("7 problems") && last.contains("3 of 6 parts intact"),
                r::toString);

        JsonNode json = cairn("verify", "--json", loc.toString()).exits(1).json();
        assertFalse(json.get("ok").asBoolean());
        List<String> kinds = new ArrayList<>();
        for (JsonNode p : json.get("problems")) {
            kinds.add(p.get("kind").asText());
            assertNotNull(p.get("expected").textValue(), p::toString);
            assertNotNull(p.get("found").textValue(), p::toString);
            assertTrue(p.get("message").asText().startsWith("Cannot "), p::toString);
        }
        kinds.sort(null);
        assertEquals(List.of("corrupt", "count", "extra", "extra", "missing", "truncated"), kinds, json::toString);
        Set<String> files = texts(json.get("problems"), "file");
        assertTrue(files.containsAll(Set.of("part-00001", "part-00002", "part-00003", "part-00006", "part-00007")), files::toString);
    }

    @Test
    void verifyAndInspectReportUncommittedAndNewerFormat(TestInfo test) throws Exception {
        URI uncommitted;
        URI newer;
        try (CairnContext ctx = context(dir(test))) {
            uncommitted = checkpoint(ctx, 20, 2, Map.of());
            newer = checkpoint(ctx, 20, 2, Map.of());
        }
        delete(file(uncommitted, "_manifest.json"));
        String manifest = new String(read(file(newer, "_manifest.json")), StandardCharsets.UTF_8);
        write(file(newer, "_manifest.json"), manifest.replaceFirst("\"formatVersion\" : \\d+", "\"formatVersion\" : 99")
                .getBytes(StandardCharsets.UTF_8));

        CairnProcess.Result r = cairn("verify", uncommitted.toString()).exits(1);
        assertTrue(linesStartingWith(r, "uncommitted").get(0).contains(uncommitted + "/_manifest.json"), r::toString);

        CairnProcess.Result n = cairn("verify", newer.toString()).exits(1);
        String line = linesStartingWith(n, "newer-format").get(0);
        assertTrue(line.contains(newer + "/_manifest.json") && line.contains("found 99"), n::toString);
        CairnProcess.Result i = cairn("inspect", newer.toString()).exits(1);
        assertTrue(i.stderr().contains("format version") && i.stderr().contains("99"), i::toString);
    }

    @Test
    void gcDryRunDeletesNothingAndGcDeletesOnlyOldDebrisOfCairn(TestInfo test) throws Exception {
        URI dir = dir(test);
        URI kept;
        URI dead;
        URI mixed;
        try (CairnContext ctx = context(dir)) {
            kept = checkpoint(ctx, 40, 4, Map.of());
            dead = checkpoint(ctx, 20, 2, Map.of());
            mixed = checkpoint(ctx, 20, 2, Map.of());
        }
        delete(file(dead, "_manifest.json"));
        delete(file(mixed, "_manifest.json"));
        write(file(mixed, "README.txt"), "a person's notes".getBytes(StandardCharsets.UTF_8));
        write(file(kept, "part-00009"), "stray".getBytes(StandardCharsets.UTF_8));
        write(file(kept, "notes.txt"), "a person's notes".getBytes(StandardCharsets.UTF_8));
        List<URI> everything = List.of(file(kept, "_manifest.json"), file(kept, "part-00000"), file(kept, "part-00009"),
                file(kept, "notes.txt"), file(dead, "part-00000"), file(dead, "part-00001"), file(mixed, "part-00000"),
                file(mixed, "README.txt"));

        JsonNode dry = cairn("gc", "--dry-run", "--older-than", "0s", "--json", dir.toString()).exits(0).json();
        assertTrue(dry.get("dryRun").asBoolean());
        Set<String> planned = texts(dry.get("deleted"), "location");
        assertEquals(new TreeSet<>(Set.of(dead.toString(), kept + "/part-00009", mixed + "/part-00000", mixed + "/part-00001")), planned);
        for (URI f : everything) {
            assertTrue(exists(f), "a dry run deleted " + f);
        }

        CairnProcess.Result young = cairn("gc", dir.toString()).exits(0);
        assertEquals(List.of(), young.lines(), "debris written moments ago is younger than the default 1h:\n" + young);
        for (URI f : everything) {
            assertTrue(exists(f), "gc deleted young debris " + f);
        }

        CairnProcess.Result gc = cairn("gc", "--older-than", "0s", dir.toString()).exits(0);
        assertEquals(planned, gc.lines().stream().map(l -> l.split("\\s+")[1]).collect(Collectors.toCollection(TreeSet::new)), gc::toString);
        assertFalse(exists(file(dead, "part-00000")));
        assertFalse(exists(file(kept, "part-00009")));
        assertFalse(exists(file(mixed, "part-00000")));
        assertTrue(exists(file(mixed, "README.txt")), "a file Cairn does not write is never deleted");
        assertTrue(exists(file(kept, "notes.txt")), "a file Cairn does not write is never deleted");
        assertTrue(exists(file(kept, "_manifest.json")) && exists(file(kept, "part-00003")), "a committed checkpoint is kept");
    }

    @Test
    void verifyInspectCatAndGcWorkOnACheckpointSpreadOverPrefixes(TestInfo test) throws Exception {
        URI dir = dir(test);
        URI intact;
        URI damaged;
        URI pending;
        URI retired;
        Map<String, String> spread = new java.util.HashMap<>(options());
        spread.put(CheckpointOptions.PREFIX_SPREAD, "4");
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(dir.toString()).options(spread).build()) {
            retired = checkpoint(ctx, 600, 6, Map.of());
            Thread.sleep(5); // distinct creation times, for --keep-last
            intact = checkpoint(ctx, 600, 6, Map.of());
            damaged = checkpoint(ctx, 600, 6, Map.of());
            pending = checkpoint(ctx, 600, 6, Map.of());
        }
        String third = CheckpointLayout.partPath(3, 4);
        assertTrue(exists(file(intact, third)), "part 3 lies in its sub-prefix: " + third);

        CairnProcess.Result ok = cairn("verify", intact.toString()).exits(0);
        assertTrue(ok.stdout().contains("6 parts, 600 records"), ok::toString);
        assertTrue(cairn("inspect", intact.toString()).exits(0).stdout().contains(third), "inspect shows each part's path");
        assertEquals(5, cairn("cat", intact.toString(), "--limit", "5").exits(0).lines().size());

        byte[] bytes = read(file(damaged, third));
        bytes[bytes.length / 2] ^= 0x5a;
        write(file(damaged, third), bytes);
        CairnProcess.Result bad = cairn("verify", damaged.toString()).exits(1);
        String corrupt = linesStartingWith(bad, "corrupt").get(0);
        assertTrue(corrupt.contains(damaged + "/" + third) && corrupt.contains("CRC32C"), bad::toString);

        delete(file(pending, "_manifest.json")); // a writer killed before its commit
        String stray = third.substring(0, 3) + "part-00099";
        write(file(intact, stray), "stray".getBytes(StandardCharsets.UTF_8));
        CairnProcess.Result extra = cairn("verify", intact.toString()).exits(1);
        assertTrue(linesStartingWith(extra, "extra").get(0).contains(intact + "/" + stray), extra::toString);

        CairnProcess.Result gc = cairn("gc", "--older-than", "0s", "--keep-last", "2", dir.toString()).exits(0);
        assertEquals(new TreeSet<>(Set.of(pending.toString(), intact + "/" + stray, retired.toString())),
                gc.lines().stream().map(l -> l.split("\\s+")[1]).collect(Collectors.toCollection(TreeSet::new)), gc::toString);
        for (int p = 0; p < 6; p++) {
            assertFalse(exists(file(pending, CheckpointLayout.partPath(p, 4))), "gc left a part of the uncommitted checkpoint");
            assertFalse(exists(file(retired, CheckpointLayout.partPath(p, 4))), "gc left a part of the retired checkpoint");
        }
        assertFalse(exists(file(intact, stray)));
        assertFalse(exists(pending), "the uncommitted checkpoint's directory and sub-prefixes are gone");
        assertFalse(exists(retired), "the retired checkpoint's directory and sub-prefixes are gone");
        cairn("verify", intact.toString()).exits(0);
        List<String> left = cairn("ls", dir.toString()).exits(0).lines();
        assertEquals(2, left.size(), left::toString);
    }

    @Test
    void gcKeepLastKeepsTheNewestCommittedCheckpointsOfEachRun(TestInfo test) throws Exception {
        URI dir = dir(test);
        List<URI> made = new ArrayList<>();
        try (CairnContext ctx = context(dir)) {
            for (int i = 0; i < 3; i++) {
                made.add(checkpoint(ctx, 10, 2, Map.of()));
                Thread.sleep(5); // distinct creation times, as checkpoints of successive iterations have
            }
        }
        CairnProcess.Result dry = cairn("gc", "--keep-last", "1", "--dry-run", dir.toString()).exits(0);
        assertEquals(List.of("would delete " + made.get(0), "would delete " + made.get(1)),
                dry.lines().stream().map(l -> l.substring(0, l.indexOf("  ("))).sorted().toList(), dry::toString);
        for (URI m : made) {
            assertTrue(exists(file(m, "_manifest.json")) && exists(file(m, "part-00001")), "a dry run deleted files of " + m);
        }

        cairn("gc", "--keep-last", "1", dir.toString()).exits(0);
        List<String> left = cairn("ls", dir.toString()).exits(0).lines();
        assertEquals(1, left.size(), left::toString);
        assertTrue(left.get(0).startsWith(made.get(2) + " ") && left.get(0).contains(" committed "), left::toString);
        assertFalse(exists(file(made.get(0), "_manifest.json")));
    }

    @Test
    void catPrintsTheRecordsOnePerLine(TestInfo test) {
        URI loc;
        try (CairnContext ctx = context(dir(test))) {
            loc = checkpoint(ctx, 20, 3, Map.of());
        }
        List<String> all = cairn("cat", loc.toString()).exits(0).lines();
        assertEquals(java.util.stream.LongStream.range(0, 20).mapToObj(Long::toString).toList(), all);

        JsonNode json = cairn("cat", "--json", "--limit", "3", loc.toString()).exits(0).json();
        assertEquals(3, json.get("records").size());
        assertEquals("java.lang.Long", json.get("records").get(0).get("class").asText());
        assertEquals("2", json.get("records").get(2).get("value").asText());
    }
}
