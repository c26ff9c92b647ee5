package dev.cairn.examples.kills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * What a resumable loop's run directory holds, read with a {@link RawStore} and judged by this
 * class alone: the layout ({@code <run>/<context>/dataset-<id>/}), the manifests (parsed here as
 * plain JSON, not by Cairn's {@code CheckpointManifest}), and the part files (their lengths and
 * CRC32C computed here). It answers what the kill campaign checks: the iteration a restart must
 * resume from, what a restart must sweep away, and whether any committed checkpoint is damaged.
 *
 * <p>Taken only while no process writes to the run directory (after a kill, after a run ended).
 */
final class RunDirectorySnapshot {
    static final String MANIFEST = "_manifest.json";
    static final String PARTITIONER = "_partitioner";
    /**
     * The scratch objects storage-s3 writes next to the first file of a store to probe what it
     * supports, and deletes again. A kill between the two leaves one in an uncommitted checkpoint:
     * debris like any other, which the next resume must sweep (the campaign once found it kept,
     * {@code RunDirectoryCleanupTest.aResumeRemovesTheStoreProbeAKilledProcessLeft}). Also
     * counted, for the report.
     */
    static final String PROBE = ".cairn-probe-";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One committed checkpoint of one dataset of the loop's state. */
    record Member(String dir, String context, int iteration, String name, Set<String> names, Instant createdAt) {
    }

    /** The checkpoints one context committed after one iteration; complete when every dataset of the state is there. */
    record Generation(String context, int iteration, Set<String> names, Map<String, Member> members) {
        boolean complete() {
            return members.keySet().containsAll(names);
        }

        Instant createdAt() {
            return members.values().stream().map(Member::createdAt).max(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        }
    }

    private final Map<String, Long> entries;
    private final List<Member> committed = new ArrayList<>();
    private final List<String> uncommittedDirs = new ArrayList<>();
    private final List<String> strayFiles = new ArrayList<>();
    private final List<String> emptyContextDirs = new ArrayList<>();
    private final List<String> probes = new ArrayList<>();
    private final List<String> damage = new ArrayList<>();
    private final Map<String, Generation> generations = new TreeMap<>();

    private RunDirectorySnapshot(Map<String, Long> entries) {
        this.entries = entries;
    }

    /** Lists {@code runDir}, reads every manifest and every committed part. */
    static RunDirectorySnapshot read(RawStore store, URI runDir) throws IOException {
        RunDirectorySnapshot s = new RunDirectorySnapshot(store.list(runDir));
        Map<String, Map<String, Long>> datasetDirs = new TreeMap<>(); // "ctx/dataset-N/" -> file name -> length
        Set<String> contexts = new TreeSet<>();
        for (Map.Entry<String, Long> e : s.entries.entrySet()) {
            String[] parts = e.getKey().split("/");
            boolean dir = e.getKey().endsWith("/");
            contexts.add(parts[0] + "/");
            if (parts.length == 1 && dir) {
                continue; // a context directory
            }
            if (parts.length < 2 || !parts[1].startsWith("dataset-") || parts.length > 3 || (parts.length == 3 && dir)) {
                s.damage.add("not in the run directory's layout: " + e.getKey());
                continue;
            }
            Map<String, Long> files = datasetDirs.computeIfAbsent(parts[0] + "/" + parts[1] + "/", k -> new TreeMap<>());
            if (parts.length == 3) {
                files.put(parts[2], e.getValue());
            }
        }
        for (String ctx : contexts) {
            if (datasetDirs.keySet().stream().noneMatch(d -> d.startsWith(ctx))) {
                s.emptyContextDirs.add(ctx);
            }
        }
        for (Map.Entry<String, Map<String, Long>> d : datasetDirs.entrySet()) {
            d.getValue().keySet().stream().filter(f -> f.startsWith(PROBE)).forEach(f -> s.probes.add(d.getKey() + f));
            if (d.getValue().containsKey(MANIFEST)) {
                s.readCommitted(store, runDir, d.getKey(), d.getValue());
            } else if (!d.getValue().isEmpty() || s.entries.containsKey(d.getKey())) {
                s.uncommittedDirs.add(d.getKey());
            }
        }
        for (Member m : s.committed) {
            s.generations.computeIfAbsent(m.context() + "@" + m.iteration(),
                    k -> new Generation(m.context(), m.iteration(), m.names(), new TreeMap<>())).members().put(m.name(), m);
        }
        return s;
    }

    private void readCommitted(RawStore store, URI runDir, String dir, Map<String, Long> files) throws IOException {
        JsonNode manifest;
        try {
            manifest = JSON.readTree(store.read(runDir, dir + MANIFEST));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            damage.add(dir + MANIFEST + " is not JSON: " + e.getOriginalMessage());
            return;
        }
        JsonNode meta = manifest.path("metadata");
        String context = dir.substring(0, dir.indexOf('/'));
        if (!context.equals(manifest.path("contextId").asText())) {
            damage.add(dir + MANIFEST + " names context " + manifest.path("contextId").asText() + ", its directory is " + context);
        }
        Set<String> expected = new TreeSet<>(List.of(MANIFEST));
        for (JsonNode part : manifest.path("parts")) {
            String name = part.path("name").asText();
            expected.add(name);
            checkFile(store, runDir, dir, files, name, part.path("bytes").asLong(), part.path("crc32c").asLong());
        }
        if (manifest.path("parts").size() != manifest.path("numPartitions").asInt()) {
            damage.add(dir + MANIFEST + " lists " + manifest.path("parts").size() + " parts for " + manifest.path("numPartitions").asInt()
                    + " partitions");
        }
        if (!manifest.path("partitioner").isNull() && !manifest.path("partitioner").isMissingNode()) {
            expected.add(PARTITIONER);
            checkFile(store, runDir, dir, files, PARTITIONER, -1, manifest.path("partitionerCrc32c").asLong());
        }
        for (String f : files.keySet()) {
            if (!expected.contains(f)) {
                strayFiles.add(dir + f);
            }
        }
        Set<String> names = new TreeSet<>(List.of(meta.path("cairn.loop.datasets").asText().split(",")));
        committed.add(new Member(dir, context, Integer.parseInt(meta.path("cairn.loop.iteration").asText()),
                meta.path("cairn.loop.dataset").asText(), names, Instant.parse(manifest.path("createdAt").asText())));
    }

    /** A file a manifest names: listed, of its length ({@code -1}: any), with its CRC32C. */
    private void checkFile(RawStore store, URI runDir, String dir, Map<String, Long> files, String name, long bytes, long crc32c)
            throws IOException {
        Long listed = files.get(name);
        if (listed == null) {
            damage.add(dir + name + " is in the manifest but not in the listing");
            return;
        }
        if (bytes >= 0 && listed != bytes) {
            damage.add(dir + name + " is listed with " + listed + " bytes, the manifest says " + bytes);
        }
        byte[] content;
        try {
            content = store.read(runDir, dir + name);
        } catch (NoSuchFileException e) {
            damage.add(dir + name + " is listed but cannot be read: " + e);
            return;
        }
        CRC32C crc = new CRC32C();
        crc.update(content);
        if (crc.getValue() != crc32c) {
            damage.add(dir + name + " has CRC32C " + crc.getValue() + ", the manifest says " + crc32c);
        }
    }

    /** Problems with committed checkpoints: a manifest over a missing, short or altered file, or files outside the layout. */
    List<String> damage() {
        return damage;
    }

    /** The complete generation a resume must start from: highest iteration, then newest commit. */
    Optional<Generation> newestComplete() {
        return generations.values().stream().filter(Generation::complete)
                .max(Comparator.comparingInt(Generation::iteration).thenComparing(Generation::createdAt));
    }

    /** The iteration a restart must resume from; 0 for a fresh start. */
    int resumePoint() {
        return newestComplete().map(Generation::iteration).orElse(0);
    }

    /** Iterations some context committed completely. */
    Set<Integer> completeIterations() {
        Set<Integer> out = new TreeSet<>();
        generations.values().stream().filter(Generation::complete).forEach(g -> out.add(g.iteration()));
        return out;
    }

    /** Generations with some, not all, datasets committed: a writer killed between its commits. */
    List<Generation> incomplete() {
        return generations.values().stream().filter(g -> !g.complete()).toList();
    }

    List<String> uncommittedDirs() {
        return uncommittedDirs;
    }

    List<String> strayFiles() {
        return strayFiles;
    }

    /** Committed dataset checkpoints of iterations other than {@code iterations}, in complete generations or not. */
    int committedOutside(Set<Integer> iterations) {
        return (int) committed.stream().filter(m -> !iterations.contains(m.iteration())).count();
    }

    /** Store probe objects left in checkpoint directories (see {@link #PROBE}). */
    List<String> probes() {
        return probes;
    }

    /** Context directories with nothing in them (stores with directories only). */
    List<String> emptyContextDirs() {
        return emptyContextDirs;
    }

    /**
     * What a restart must remove before it goes on, as paths under the run directory: uncommitted
     * checkpoint directories and their files, stray files in committed ones, the checkpoints of
     * incomplete generations, and empty context directories.
     */
    Set<String> debris() {
        Set<String> out = new TreeSet<>(strayFiles);
        List<String> dirs = new ArrayList<>(uncommittedDirs);
        incomplete().forEach(g -> g.members().values().forEach(m -> dirs.add(m.dir())));
        dirs.addAll(emptyContextDirs);
        for (String dir : dirs) {
            for (String e : entries.keySet()) {
                if (e.startsWith(dir)) {
                    out.add(e);
                }
            }
            if (entries.containsKey(dir)) {
                out.add(dir);
            }
        }
        return out;
    }

    /** Which of {@code paths} this snapshot still holds. */
    Set<String> stillThere(Set<String> paths) {
        Set<String> out = new TreeSet<>(paths);
        out.retainAll(entries.keySet());
        return out;
    }

    /** One line: complete iterations, and what debris there is. */
    String summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("complete", completeIterations());
        m.put("resume", resumePoint());
        m.put("uncommitted", uncommittedDirs.size());
        m.put("incomplete", incomplete().size());
        m.put("stray", strayFiles.size());
        m.put("committed", committed.size());
        m.put("emptyContexts", emptyContextDirs.size());
        m.put("probes", probes.size());
        return m.toString();
    }

    /** Everything, for failure messages. */
    String describe() {
        StringBuilder b = new StringBuilder(summary()).append('\n');
        entries.forEach((k, v) -> b.append("  ").append(k).append(v >= 0 ? "  " + v + " bytes" : "").append('\n'));
        damage.forEach(d -> b.append("  DAMAGE ").append(d).append('\n'));
        return b.toString();
    }
}
