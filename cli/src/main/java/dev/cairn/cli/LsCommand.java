package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointScanner;
import dev.cairn.storage.FileStatus;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn ls DIR}: one line per checkpoint under DIR (a context's checkpoint directory, a
 * resumable loop's run directory, a single location as cairn-spark writes it), with its location,
 * {@code committed} or {@code uncommitted}, partitions, records, bytes and creation time.
 */
@Command(name = "ls", sortOptions = false,
        description = {"List the checkpoints under DIR, committed or not.",
                "One line each: location, committed or uncommitted, partitions, records, bytes, creation time ('-' where only"
                        + " a manifest could tell), then notes in parentheses.",
                "Recognises a context's checkpoint directory (<dir>/<context-id>/dataset-<id>/), a ResumableLoop run"
                        + " directory and a single checkpoint location (cairn-spark), up to 3 levels below DIR."})
final class LsCommand extends CheckpointCommand {
    private static final String NONE = "-";

    @Parameters(index = "0", paramLabel = "DIR", description = "Directory to list: a URI (s3://bucket/ckpt, hdfs://nn/ckpt,"
            + " file:///tmp/ckpt) or a local path.")
    String directory;

    @Override
    int execute(Environment env, Output out) throws Exception {
        URI dir = env.location(directory);
        CheckpointScanner.Scan scan = CheckpointScanner.scan(env.storage(), dir, env.options());
        if (out.json()) {
            writeJson(scan, out);
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        for (CheckpointScanner.Entry e : scan.entries()) {
            rows.add(row(e));
        }
        for (String line : Table.align(rows)) {
            out.line(line);
        }
        if (scan.entries().isEmpty()) {
            out.note("No checkpoints under " + scan.directory());
        }
        return 0;
    }

    private static String[] row(CheckpointScanner.Entry e) {
        CheckpointManifest m = e.manifest();
        List<String> notes = new ArrayList<>();
        String partitions;
        String records;
        String bytes;
        String created;
        if (m != null) {
            partitions = Integer.toString(m.numPartitions());
            records = Long.toString(m.totalRecords());
            bytes = Long.toString(m.totalBytes());
            created = m.createdAt().toString();
        } else {
            partitions = e.committed() ? NONE : Long.toString(partFiles(e));
            records = NONE;
            bytes = e.committed() ? NONE : Long.toString(fileBytes(e));
            created = NONE;
            if (e.committed()) {
                notes.add("manifest unreadable: " + e.problem());
            } else {
                notes.add("last written " + e.lastModified());
            }
        }
        if (e.committed() && !e.strays().isEmpty()) {
            notes.add(count(e.strays().size(), "file") + " its manifest does not list");
        }
        if (!e.foreign().isEmpty()) {
            notes.add(count(e.foreign().size(), "file") + " Cairn does not write");
        }
        String note = notes.isEmpty() ? "" : "(" + String.join("; ", notes) + ")";
        return new String[] {e.location().toString(), e.committed() ? "committed" : "uncommitted", partitions, records, bytes, created, note};
    }

    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** Part files present (an uncommitted checkpoint has no manifest to count them). */
    static long partFiles(CheckpointScanner.Entry e) {
        return e.files().stream().filter(f -> f.name().matches("part-\\d{5,}")).count();
    }

    static long fileBytes(CheckpointScanner.Entry e) {
        return e.files().stream().mapToLong(FileStatus::length).sum();
    }

    private static void writeJson(CheckpointScanner.Scan scan, Output out) throws java.io.IOException {
        try (JsonGenerator g = out.jsonGenerator()) {
            g.writeStartObject();
            g.writeStringField("directory", scan.directory().toString());
            g.writeArrayFieldStart("checkpoints");
            for (CheckpointScanner.Entry e : scan.entries()) {
                CheckpointManifest m = e.manifest();
                g.writeStartObject();
                g.writeStringField("location", e.location().toString());
                g.writeStringField("state", e.committed() ? "committed" : "uncommitted");
                g.writeBooleanField("committed", e.committed());
                if (m != null) {
                    g.writeNumberField("partitions", m.numPartitions());
                    g.writeNumberField("records", m.totalRecords());
                    g.writeNumberField("bytes", m.totalBytes());
                    g.writeStringField("created", m.createdAt().toString());
                    g.writeNumberField("formatVersion", m.formatVersion());
                    g.writeStringField("dataset", m.dataset());
                    g.writeObjectFieldStart("metadata");
                    for (Map.Entry<String, String> kv : m.metadata().entrySet()) {
                        g.writeStringField(kv.getKey(), kv.getValue());
                    }
                    g.writeEndObject();
                } else if (!e.committed()) {
                    g.writeNumberField("partitions", partFiles(e));
                    g.writeNullField("records");
                    g.writeNumberField("bytes", fileBytes(e));
                    g.writeNullField("created");
                } else {
                    g.writeNullField("partitions");
                    g.writeNullField("records");
                    g.writeNullField("bytes");
                    g.writeNullField("created");
                }
                g.writeStringField("lastModified", e.lastModified().toString());
                g.writeStringField("problem", e.problem());
                writeFiles(g, "strays", e.committed() ? e.strays() : List.of());
                writeFiles(g, "foreign", e.foreign());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("emptyDirectories");
            for (URI d : scan.emptyDirectories()) {
                g.writeString(d.toString());
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    static void writeFiles(JsonGenerator g, String field, List<FileStatus> files) throws java.io.IOException {
        g.writeArrayFieldStart(field);
        for (FileStatus f : files) {
            g.writeString(f.location().toString());
        }
        g.writeEndArray();
    }
}
