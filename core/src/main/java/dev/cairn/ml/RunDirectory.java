package dev.cairn.ml;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.CheckpointException;
import dev.cairn.checkpoint.CheckpointFiles;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.ListingWaiter;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    static final String ITERATION = "cairn.loop.iteration";
    /** Manifest metadata: the name of this dataset in the state. */
    static final String DATASET = "cairn.loop.dataset";
    /** Manifest metadata: the names of every dataset of the state, comma separated, in order. */
    static final String DATASETS = "cairn.loop.datasets";
    /** Prefix of the loop's own metadata keys; user keys may not use it. */
    static final String PREFIX = "cairn.loop.";

    /** Reads manifests without waiting: scanning only reads manifests it has seen. */
    private static final ListingWaiter NO_WAIT = new ListingWaiter(Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1));

    private final CairnContext context;
    private final URI dir;
    private final Storage storage;

    RunDirectory(CairnContext context, URI dir) {
        this.context = context;
        this.dir = dir;
        this.storage = context.storage().storageFor(dir);
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
     * @param uncommitted  dataset directories without a manifest, in other contexts' directories
     * @param strays       files in committed checkpoints of other contexts that their manifest does not list
     * @param contextDirs  the context directories seen, other than this context's
     */
    record Scan(List<Generation> generations, List<URI> uncommitted, List<URI> strays, List<URI> contextDirs) {

        /** Complete generations, newest first (by iteration, then by commit time). */
        List<Generation> complete() {
            return generations.stream().filter(Generation::complete).toList();
        }
    }

    /** Lists the run directory and reads its manifests. Deletes nothing. */
    Scan scan() {
        Map<String, Generation> byKey = new LinkedHashMap<>();
        List<URI> uncommitted = new ArrayList<>();
        List<URI> strays = new ArrayList<>();
        List<URI> contextDirs = new ArrayList<>();
        String mine = context.contextId();
        try {
            for (FileStatus contextDir : storage.list(dir)) {
                if (!contextDir.directory()) {
                    continue;
                }
                boolean ours = contextDir.name().equals(mine);
                if (!ours) {
                    contextDirs.add(contextDir.location());
                }
                for (FileStatus datasetDir : storage.list(contextDir.location())) {
                    if (datasetDir.directory() && datasetDir.name().startsWith("dataset-")) {
                        scanDataset(contextDir.name(), ours, datasetDir.location(), byKey, uncommitted, strays);
                    }
                }
            }
        } catch (IOException e) {
            throw new CairnException("Cannot scan run directory: " + dir + " (expected to list it, found an error: " + e + ")", e);
        }
        List<Generation> generations = new ArrayList<>(byKey.values());
        generations.sort(Comparator.comparingInt(Generation::iteration).thenComparing(Generation::createdAt).reversed());
        return new Scan(generations, uncommitted, strays, contextDirs);
    }

    private void scanDataset(String contextDir, boolean ours, URI location, Map<String, Generation> byKey, List<URI> uncommitted,
                             List<URI> strays) throws IOException {
        List<FileStatus> files = storage.list(location);
        boolean listed = files.stream().anyMatch(f -> f.name().equals(CheckpointManifest.FILE_NAME));
        if (!listed && !manifestExists(location)) {
            if (!ours) {
                uncommitted.add(location);
            }
            return;
        }
        CheckpointManifest manifest;
        try {
            manifest = CheckpointFiles.readManifest(storage, location, NO_WAIT, "at " + location);
        } catch (CheckpointException e) {
            LOG.warn("Ignoring {} in run directory {}: its manifest cannot be read ({})", location, dir, e.getMessage());
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
        if (!ours) {
            Set<String> known = new HashSet<>(List.of(CheckpointManifest.FILE_NAME, CheckpointManifest.PARTITIONER_FILE));
            manifest.parts().forEach(p -> known.add(p.name()));
            for (FileStatus f : files) {
                if (!known.contains(f.name())) {
                    strays.add(f.location());
                }
            }
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

    /** Asks for the manifest itself: on a store with eventual listings a fresh manifest may be missing from the listing. */
    private boolean manifestExists(URI location) throws IOException {
        try {
            storage.stat(CheckpointLayout.child(location, CheckpointManifest.FILE_NAME));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Deletes uncommitted checkpoint directories and stray files that dead writers left. */
    void removeDebris(Scan scan) {
        int removed = 0;
        for (URI u : scan.uncommitted()) {
            removed += deleteQuietly(u, "uncommitted checkpoint") ? 1 : 0;
        }
        for (URI u : scan.strays()) {
            removed += deleteQuietly(u, "stray file") ? 1 : 0;
        }
        if (removed > 0) {
            LOG.info("Cleaned run directory {}: removed {} entries that writers killed before their commit left", dir, removed);
        }
    }

    /**
     * Deletes the generations a resume from {@code from} (or a fresh start, when {@code null})
     * makes useless: incomplete ones, newer ones, and complete older ones beyond the
     * {@code keepOlder} returned; then empty context directories. Generations of this context
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
        for (URI contextDir : scan.contextDirs()) {
            try {
                if (storage.list(contextDir).isEmpty()) {
                    storage.delete(contextDir);
                }
            } catch (IOException e) {
                LOG.debug("Cannot remove empty context directory {}: {}", contextDir, e.toString());
            }
        }
        if (removed > 0) {
            LOG.info("Cleaned run directory {}: removed {} checkpoints not needed to resume", dir, removed);
        }
        java.util.Collections.reverse(kept);
        return kept;
    }

    private boolean deleteQuietly(URI location, String what) {
        try {
            storage.delete(location);
            LOG.info("Removed {} {}", what, location);
            return true;
        } catch (IOException e) {
            LOG.warn("Cannot remove {} {}: {}", what, location, e.toString());
            return false;
        }
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
