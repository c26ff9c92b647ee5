package dev.cairn.cli;

import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointScanner;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which committed checkpoints {@code gc --keep-last N} deletes: per run, all but the newest N.
 *
 * <ul>
 *   <li>A <b>ResumableLoop run</b>: checkpoints at {@code <run>/<context-id>/dataset-<id>} whose
 *       manifest carries {@value #ITERATION}. Every context that worked on the run (a restart is a
 *       new context) belongs to it, so the run is {@code <run>}, and the unit kept or deleted is an
 *       iteration: all its datasets together. Only <em>complete</em> iterations (every dataset
 *       named in {@value #DATASETS} committed) count towards N, since only they can be resumed
 *       from; an incomplete one newer than the N-th complete one is kept (it may be being written),
 *       older ones go.</li>
 *   <li>Anything else (a context's checkpoint directory, cairn-spark locations side by side): the
 *       run is the parent directory, and each checkpoint is a unit, newest by creation time.</li>
 * </ul>
 * Checkpoints whose manifest cannot be read are never chosen.
 */
final class Retention {
    /** Manifest metadata ResumableLoop writes: the iteration after which the state was checkpointed. */
    static final String ITERATION = "cairn.loop.iteration";
    /** Manifest metadata ResumableLoop writes: this dataset's name in the state. */
    static final String DATASET = "cairn.loop.dataset";
    /** Manifest metadata ResumableLoop writes: the names of every dataset of the state, comma separated. */
    static final String DATASETS = "cairn.loop.datasets";

    private Retention() {
    }

    /**
     * A committed checkpoint to delete.
     *
     * @param entry  what the scan found
     * @param run    the run it belongs to
     * @param reason why, in words
     */
    record Deletion(CheckpointScanner.Entry entry, URI run, String reason) {
    }

    /** One unit kept or deleted together: a checkpoint, or a loop iteration's checkpoints. */
    private record Unit(long iteration, Instant created, List<CheckpointScanner.Entry> members, boolean complete, String label) {
    }

    /** The committed checkpoints beyond the newest {@code keep} of each run. */
    static List<Deletion> plan(CheckpointScanner.Scan scan, int keep) {
        Map<URI, Map<String, List<CheckpointScanner.Entry>>> runs = new LinkedHashMap<>();
        Set<URI> loopRuns = new HashSet<>();
        for (CheckpointScanner.Entry e : scan.entries()) {
            CheckpointManifest m = e.manifest();
            if (!e.committed() || m == null) {
                continue;
            }
            URI parent = parent(e.location());
            Long iteration = iteration(m);
            boolean loop = iteration != null && name(e.location()).matches("dataset-\\d+") && parent != null && parent(parent) != null;
            URI run = loop ? parent(parent) : parent;
            String unitKey = loop ? "iteration " + iteration : e.location().toString();
            if (loop) {
                loopRuns.add(run);
            }
            runs.computeIfAbsent(run, k -> new LinkedHashMap<>()).computeIfAbsent(unitKey, k -> new ArrayList<>()).add(e);
        }
        List<Deletion> out = new ArrayList<>();
        runs.forEach((run, units) -> {
            boolean loop = loopRuns.contains(run);
            List<Unit> ordered = new ArrayList<>();
            units.forEach((key, members) -> ordered.add(unit(key, members, loop)));
            ordered.sort(Comparator.comparingLong(Unit::iteration).thenComparing(Unit::created).thenComparing(Unit::label).reversed());
            int completeKept = 0;
            for (Unit u : ordered) {
                if (completeKept < keep) {
                    if (u.complete()) {
                        completeKept++;
                    }
                    continue;
                }
                String why = loop ? "committed checkpoint of " + u.label() + (u.complete() ? "" : " (incomplete)")
                        + ", older than the newest " + keep + " complete iterations of run " + run
                        : "committed checkpoint created " + u.created() + ", older than the newest " + keep + " in " + run;
                for (CheckpointScanner.Entry e : u.members()) {
                    out.add(new Deletion(e, run, why));
                }
            }
        });
        return out;
    }

    private static Unit unit(String key, List<CheckpointScanner.Entry> members, boolean loop) {
        Instant created = Instant.EPOCH;
        Set<String> names = new HashSet<>();
        Set<String> wanted = new HashSet<>();
        for (CheckpointScanner.Entry e : members) {
            CheckpointManifest m = e.manifest();
            if (m.createdAt().isAfter(created)) {
                created = m.createdAt();
            }
            if (m.metadata().get(DATASET) != null) {
                names.add(m.metadata().get(DATASET));
            }
            String all = m.metadata().get(DATASETS);
            if (all != null && !all.isBlank()) {
                wanted.addAll(Arrays.asList(all.split(",")));
            }
        }
        long iteration = loop ? iteration(members.get(0).manifest()) : 0;
        boolean complete = !loop || names.containsAll(wanted);
        return new Unit(iteration, created, members, complete, loop ? key : members.get(0).location().toString());
    }

    private static Long iteration(CheckpointManifest m) {
        String v = m.metadata().get(ITERATION);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return null; // not the loop's: treated as a plain checkpoint
        }
    }

    /** The parent directory, or {@code null} at the root of a bucket or file system. */
    static URI parent(URI location) {
        String s = location.toString();
        int pathStart = s.indexOf("://") + 3;
        int slash = s.lastIndexOf('/');
        if (slash < pathStart) {
            return null; // s3://bucket
        }
        String parent = s.substring(0, slash);
        return parent.length() <= pathStart ? null : URI.create(parent); // not file://
    }

    private static String name(URI location) {
        String s = location.toString();
        return s.substring(s.lastIndexOf('/') + 1);
    }
}
