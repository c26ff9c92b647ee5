package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cairn.CairnException;
import dev.cairn.checkpoint.CheckpointScanner;
import dev.cairn.checkpoint.OrphanSweeper;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn gc DIR}: removes checkpoint debris (uncommitted checkpoints, files a manifest does
 * not list) last written more than {@code --older-than} ago, and with {@code --keep-last N} the
 * committed checkpoints of each run beyond the newest N. Never deletes a file Cairn does not write;
 * {@code --dry-run} prints exactly what it would delete and deletes nothing.
 */
@Command(name = "gc", sortOptions = false,
        description = {"Delete checkpoint debris under DIR, and with --keep-last old checkpoints.",
                "Removes what failed or killed writers left under DIR (uncommitted checkpoints, files a manifest does not"
                + " list) once it is older than --older-than, and with --keep-last N the committed checkpoints of each run"
                + " beyond the newest N. Prints one line per removal.",
                "Never deletes a committed checkpoint unless --keep-last asks, never touches files Cairn does not write."})
final class GcCommand extends CheckpointCommand {

    @Parameters(index = "0", paramLabel = "DIR", description = "Directory to clean: a checkpoint directory, a run directory, or one location.")
    String directory;

    @Option(names = "--dry-run", description = "Print what would be deleted; delete nothing.")
    boolean dryRun;

    @Option(names = "--older-than", paramLabel = "D", defaultValue = "1h",
            description = "Only debris last written more than D ago (default: ${DEFAULT-VALUE}; e.g. 30s, 10m, 2h; 0s for all).")
    String olderThan;

    @Option(names = "--keep-last", paramLabel = "N", description = "Also delete committed checkpoints, keeping the newest N of each"
            + " run: per parent directory, and per iteration for a ResumableLoop run directory.")
    Integer keepLast;

    /** One line of output. */
    private record Removal(URI location, String kind, String reason) {
    }

    @Override
    int execute(Environment env, Output out) throws Exception {
        Duration age = age();
        if (keepLast != null && keepLast < 1) {
            throw new ParameterException(spec.commandLine(), "Invalid value for --keep-last (expected 1 or more, found " + keepLast
                    + "; to delete every checkpoint, delete the directory)");
        }
        URI dir = env.location(directory);
        CheckpointScanner.Scan scan = CheckpointScanner.scan(env.storage(), dir, env.options());
        CheckpointDeleter deleter = new CheckpointDeleter(env.storage());

        Set<URI> holdingDirectories = new LinkedHashSet<>();
        for (CheckpointScanner.Entry e : scan.uncommitted()) {
            if (CheckpointDeleter.holdsDirectories(e)) {
                holdingDirectories.add(e.location());
            }
        }
        List<Retention.Deletion> retire = keepLast == null ? List.of() : Retention.plan(scan, keepLast);
        Set<URI> retiring = new LinkedHashSet<>();
        retire.forEach(d -> retiring.add(d.entry().location()));

        List<Removal> removals = new ArrayList<>();
        for (Retention.Deletion d : retire) {
            if (!dryRun) {
                deleter.deleteCommitted(d.entry());
            }
            Removal r = new Removal(d.entry().location(), "committed", d.reason());
            removals.add(r);
            print(out, r);
        }
        OrphanSweeper.Report report = OrphanSweeper.sweep(env.storage(), dir, env.options(), age,
                location -> holdingDirectories.contains(location) || retiring.contains(location), dryRun);
        Map<URI, Removal> known = debris(scan);
        for (URI deleted : report.deleted()) {
            Removal r = known.getOrDefault(deleted, new Removal(deleted, "debris", "debris of a failed or killed writer"));
            removals.add(r);
            print(out, r);
        }
        List<URI> keptCommitted = report.committed();
        if (out.json()) {
            writeJson(out, dir, age, removals, keptCommitted, report.young(), holdingDirectories);
        }
        out.note((dryRun ? "Would delete " : "Deleted ") + removals.size() + " entries under " + dir + "; kept " + keptCommitted.size()
                + " committed checkpoints, " + report.young().size() + " debris entries younger than " + olderThan
                + (holdingDirectories.isEmpty() ? "" : ", " + holdingDirectories.size()
                + " uncommitted checkpoints holding directories Cairn does not write (left for you to check): " + holdingDirectories));
        return 0;
    }

    private Duration age() {
        try {
            Duration d = CairnOptions.parseDuration("--older-than", olderThan);
            if (d.isNegative()) {
                throw new CairnException("negative");
            }
            return d;
        } catch (CairnException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for --older-than (expected a duration such as 30s, 10m, 2h"
                    + " or 0s, found '" + olderThan + "')");
        }
    }

    private void print(Output out, Removal r) {
        if (!out.json()) {
            out.line((dryRun ? "would delete " : "deleted ") + r.location() + "  (" + r.reason() + ")");
        }
    }

    /** Why each piece of debris the sweeper may delete is debris, from the scan. */
    private static Map<URI, Removal> debris(CheckpointScanner.Scan scan) {
        Map<URI, Removal> out = new HashMap<>();
        for (CheckpointScanner.Entry e : scan.entries()) {
            if (e.committed()) {
                for (FileStatus f : e.strays()) {
                    out.put(f.location(), new Removal(f.location(), "stray", "file its manifest does not list, last written " + f.modified()));
                }
            } else {
                out.put(e.location(), new Removal(e.location(), "uncommitted", "uncommitted checkpoint, " + e.files().size()
                        + " files, last written " + e.lastModified()));
                for (FileStatus f : e.strays()) {
                    out.put(f.location(), new Removal(f.location(), "stray", "file of an uncommitted checkpoint that also holds files"
                            + " Cairn does not write (they stay), last written " + e.lastModified()));
                }
            }
        }
        return out;
    }

    private void writeJson(Output out, URI dir, Duration age, List<Removal> removals, List<URI> committed, List<URI> young,
                           Set<URI> holdingDirectories) throws java.io.IOException {
        try (JsonGenerator g = out.jsonGenerator()) {
            g.writeStartObject();
            g.writeStringField("directory", dir.toString());
            g.writeBooleanField("dryRun", dryRun);
            g.writeStringField("olderThan", olderThan);
            g.writeNumberField("olderThanSeconds", age.toSeconds());
            if (keepLast == null) {
                g.writeNullField("keepLast");
            } else {
                g.writeNumberField("keepLast", keepLast);
            }
            g.writeArrayFieldStart("deleted");
            for (Removal r : removals) {
                g.writeStartObject();
                g.writeStringField("location", r.location().toString());
                g.writeStringField("kind", r.kind());
                g.writeStringField("reason", r.reason());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("kept");
            writeUris(g, "committed", committed);
            writeUris(g, "young", young);
            writeUris(g, "holdingDirectories", new ArrayList<>(holdingDirectories));
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    private static void writeUris(JsonGenerator g, String field, List<URI> uris) throws java.io.IOException {
        g.writeArrayFieldStart(field);
        for (URI u : uris) {
            g.writeString(u.toString());
        }
        g.writeEndArray();
    }
}
