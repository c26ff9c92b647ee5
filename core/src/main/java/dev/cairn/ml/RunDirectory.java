package dev.cairn.ml;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointScanner;
import dev.cairn.storage.FileStatus;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a run directory holds, read from the checkpoint layout itself: every
 * {@code <runDir>/<context-id>/dataset-<id>/} with a manifest whose metadata has
 * {@value #ITERATION} is a checkpoint of one dataset of the loop's state after that iteration.
 * The checkpoints one context wrote for one iteration form a generation, complete when it has
 * every dataset named in {@value #DATASETS}. Dataset directories without a manifest are
 * uncommitted: a writer died before its commit.
 *
 * <p>There is no separate index file: the manifests, which core writes last, are the only
 * commit points, so nothing can say "committed" before the data is.
 */
final class RunDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(RunDirectory.class);

    /** Manifest metadata: the iteration after which the state was checkpointed. */
    static final String ITERATION = ResumableLoop.METADATA_ITERATION;
    /** Manifest metadata: the name of this dataset in the state. */
    static final String DATASET = ResumableLoop.METADATA_DATASET;
    /** Manifest metadata: the names of every dataset of the state, comma separated, in order. */
    static final String DATASETS = ResumableLoop.METADATA_DATASETS;
    /** Prefix of the loop's own metadata keys; user keys may not use it. */
    static final String PREFIX = "cairn.loop.";

    private final CairnContext context;
    private final URI dir;

    RunDirectory(CairnContext context, URI dir) {
        this.context = context;
        this.dir = dir;
    }

    /** One committed dataset checkpoint of the loop. */
    record Member(URI location, String contextDir, int iteration, String name, List<String> names, CheckpointManifest manifest) {
    }

    /** The checkpoints one context wrote after one iteration. */
    record Generation(String contextDir, int iteration, List<String> names, Map<String, Member> members) {

        boolean complete() {
            return members.keySet().containsAll(names);
        }

        Instant createdAt() {
            Instant newest = Instant.EPOCH;
            for (Member m : members.values()) {
                if (m.manifest().createdAt().isAfter(newest)) {
                    newest = m.manifest().createdAt();
                }
            }
            return newest;
        }

        /** The user metadata, as the first member's manifest has it. */
        Map<String, String> userMetadata() {
            Map<String, String> out = new LinkedHashMap<>();
            Member first = members.values().iterator().next();
            first.manifest().metadata().forEach((k, v) -> {
                if (!k.startsWith(PREFIX)) {
                    out.put(k, v);
                }
            });
            return out;
        }

        Map<String, URI> locations() {
            Map<String, URI> out = new LinkedHashMap<>();
            for (String n : names) {
                Member m = members.get(n);
                if (m != null) {
                    out.put(n, m.location());
                }
            }
            return out;
        }

        LoopCheckpoint toCheckpoint(CairnContext context, URI runDir) {
            return new LoopCheckpoint(context, runDir, iteration, contextDir, locations(), userMetadata(), createdAt());
        }
    }

    /**
     * The result of a scan.
     *
     * @param generations  the loop's generations, complete or not, newest first
     * @param emptyDirs    directories found empty (context directories whose checkpoints were all deleted)
     */
    record Scan(List<Generation> generations, List<URI> emptyDirs) {

        /** Complete generations, newest first (by iteration, then by commit time). */
        List<Generation> complete() {
            return generations.stream().filter(Generation::complete).toList();
        }
    }

    /** Scans the run directory with the format's scanner and groups the loop's checkpoints. Deletes nothing. */
    Scan scan() {
        Map<String, Generation> byKey = new LinkedHashMap<>();
        CheckpointScanner.Scan found = context.scanCheckpoints(dir);
        for (CheckpointScanner.Entry e : found.entries()) {
            if (e.committed()) {
                addMember(e, byKey);
            }
        }
        List<Generation> generations = new ArrayList<>(byKey.values());
        generations.sort(Comparator.comparingInt(Generation::iteration).thenComparing(Generation::createdAt).reversed());
        return new Scan(generations, found.emptyDirectories());
    }

    /** The context directory a checkpoint of this run is in ({@code <runDir>/<context-id>/dataset-<id>}), or {@code null}. */
    private String contextDirOf(URI location) {
        String base = dir.toString() + "/";
        String loc = location.toString();
        if (!loc.startsWith(base)) {
            return null;
        }
        String[] rest = loc.substring(base.length()).split("/");
        return rest.length == 2 && rest[1].startsWith("dataset-") ? rest[0] : null;
    }

    private void addMember(CheckpointScanner.Entry entry, Map<String, Generation> byKey) {
        URI location = entry.location();
        String contextDir = contextDirOf(location);
        if (contextDir == null) {
            return; // not in the layout the loop writes: neither used nor touched
        }
        CheckpointManifest manifest = entry.manifest();
        if (manifest == null) {
            LOG.warn("Ignoring {} in run directory {}: its manifest cannot be read ({})", location, dir, entry.problem());
            return;
        }
        String iterationText = manifest.metadata().get(ITERATION);
        if (iterationText == null) {
            return; // a checkpoint that is not the loop's: neither used nor touched
        }
        int iteration;
        try {
            iteration = Integer.parseInt(iterationText);
        } catch (NumberFormatException e) {
            LOG.warn("Ignoring {} in run directory {}: metadata {}='{}' is not an iteration number", location, dir, ITERATION, iterationText);
            return;
        }
        String name = manifest.metadata().get(DATASET);
        List<String> names = Arrays.asList(manifest.metadata().getOrDefault(DATASETS, "").split(","));
        if (name == null || !names.contains(name)) {
            LOG.warn("Ignoring {} in run directory {}: metadata names dataset '{}' of {}", location, dir, name, names);
            return;
        }
        Generation g = byKey.computeIfAbsent(contextDir + "/" + iteration,
                k -> new Generation(contextDir, iteration, List.copyOf(names), new LinkedHashMap<>()));
        Member previous = g.members().put(name, new Member(location, contextDir, iteration, name, names, manifest));
        if (previous != null) {
            // One context checkpointed the same dataset of one iteration twice (a retried write): keep the newer.
            if (previous.manifest().createdAt().isAfter(manifest.createdAt())) {
                g.members().put(name, previous);
            }
        }
    }

    /**
     * Deletes what writers of other contexts left uncommitted in the run directory, and Cairn's
     * stray files in their committed checkpoints: the format's orphan sweep, with no age limit
     * (the loop runs alone in its run directory), sparing this context's own directory.
     */
    void removeDebris() {
        int removed = context.sweepOrphans(dir, Duration.ZERO).deleted().size();
        if (removed > 0) {
            LOG.info("Cleaned run directory {}: removed {} entries that writers killed before their commit left", dir, removed);
        }
    }

    /**
     * Deletes the generations a resume from {@code from} (or a fresh start, when {@code null})
     * makes useless: incomplete ones, newer ones, and complete older ones beyond the
     * {@code keepOlder} returned; then the context directories left empty, its own removals
     * included. Generations of this context
     * are left to it. Returns the older complete generations kept, oldest first.
     */
    List<Generation> removeGenerations(Scan scan, Generation from, int keepOlder) {
        int removed = 0;
        List<Generation> kept = new ArrayList<>();
        for (Generation g : scan.generations()) {
            if (g == from || g.contextDir().equals(context.contextId())) {
                continue;
            }
            boolean older = from != null && g.complete() && g.iteration() < from.iteration();
            if (older && kept.size() < keepOlder) {
                kept.add(g);
                continue;
            }
            String why = !g.complete() ? "incomplete checkpoint of iteration " + g.iteration()
                    : older ? "old checkpoint of iteration " + g.iteration() : "checkpoint of iteration " + g.iteration() + " not resumed from";
            for (Member m : g.members().values()) {
                removed += deleteCheckpointQuietly(m.location(), why) ? 1 : 0;
            }
        }
        // Listed again: the removals above empty context directories the scan saw full.
        List<URI> empties = removed > 0 ? context.scanCheckpoints(dir).emptyDirectories() : scan.emptyDirs();
        for (URI empty : empties) {
            if (!empty.toString().endsWith("/" + context.contextId())) {
                deleteCheckpointQuietly(empty, "empty context directory");
            }
        }
        if (removed > 0) {
            LOG.info("Cleaned run directory {}: removed {} checkpoints not needed to resume", dir, removed);
        }
        java.util.Collections.reverse(kept);
        return kept;
    }

    private boolean deleteCheckpointQuietly(URI location, String what) {
        try {
            context.deleteCheckpoint(location);
            LOG.info("Removed {} {}", what, location);
            return true;
        } catch (CairnException e) {
            LOG.warn("Cannot remove {} {}: {}", what, location, e.getMessage());
            return false;
        }
    }
}
