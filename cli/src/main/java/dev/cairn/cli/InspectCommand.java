package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn inspect LOCATION}: the manifest of a committed checkpoint. Reads
 * {@code _manifest.json} only; exit 1 when there is none (uncommitted or nothing there), when it
 * is unreadable or of a newer format, or when the store fails.
 */
@Command(name = "inspect", sortOptions = false,
        description = {"Show the manifest of the committed checkpoint at LOCATION.",
                "Format, dataset, parts (name, bytes, records, CRC32C), serializer, compression, partitioner, metadata.",
                "Exit 1 if LOCATION is not a committed checkpoint (no _manifest.json), or its manifest cannot be read."})
final class InspectCommand extends CheckpointCommand {

    @Parameters(index = "0", paramLabel = "LOCATION", description = "The checkpoint's directory (the one holding _manifest.json).")
    String location;

    @Override
    int execute(Environment env, Output out) throws Exception {
        URI loc = env.location(location);
        CheckpointReader reader = CheckpointReader.openManifest(env.storage(), loc, env.options());
        CheckpointManifest m = reader.manifest();
        if (out.json()) {
            try (JsonGenerator g = out.jsonGenerator()) {
                g.writeStartObject();
                g.writeStringField("location", reader.location().toString());
                g.writeBooleanField("committed", true);
                g.writeFieldName("manifest");
                // the manifest as the format defines it (docs/checkpointing.md), field for field
                g.writeRawValue(new String(m.toJson(), StandardCharsets.UTF_8));
                g.writeEndObject();
            }
            return 0;
        }
        List<String[]> head = new ArrayList<>();
        head.add(new String[] {"location", reader.location().toString()});
        head.add(new String[] {"dataset", orNone(m.dataset()) + (m.datasetName() == null ? "" : " '" + m.datasetName() + "'")});
        head.add(new String[] {"format", m.formatVersion() + (m.blocked() ? " (checksummed blocks of " + m.blockSize() + " bytes)" : " (no blocks)")});
        head.add(new String[] {"app", orNone(m.appName())});
        head.add(new String[] {"context", orNone(m.contextId())});
        head.add(new String[] {"partitions", Integer.toString(m.numPartitions())});
        head.add(new String[] {"records", Long.toString(m.totalRecords())});
        head.add(new String[] {"bytes", Long.toString(m.totalBytes())});
        head.add(new String[] {"serializer", m.serializer()});
        head.add(new String[] {"compression", m.compression()});
        head.add(new String[] {"created", m.createdAt().toString()});
        head.add(new String[] {"partitioner", m.partitioner() == null ? "-"
                : m.partitioner() + " (CRC32C " + hex(m.partitionerCrc32c()) + ")"});
        if (m.metadata().isEmpty()) {
            head.add(new String[] {"metadata", "-"});
        }
        boolean first = true;
        for (Map.Entry<String, String> e : m.metadata().entrySet()) {
            head.add(new String[] {first ? "metadata" : "", e.getKey() + "=" + e.getValue()});
            first = false;
        }
        for (String line : Table.align(head)) {
            out.line(line);
        }
        out.line("parts");
        List<String[]> parts = new ArrayList<>();
        parts.add(new String[] {"  NAME", "BYTES", "RECORDS", "CRC32C"});
        for (CheckpointManifest.Part p : m.parts()) {
            parts.add(new String[] {"  " + p.name(), Long.toString(p.bytes()), Long.toString(p.records()), hex(p.crc32c())});
        }
        for (String line : Table.align(parts)) {
            out.line(line);
        }
        return 0;
    }

    static String hex(long crc) {
        return String.format("%08x", crc);
    }

    private static String orNone(String s) {
        return s == null ? "-" : s;
    }
}
