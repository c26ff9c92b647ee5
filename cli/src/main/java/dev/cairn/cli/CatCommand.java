package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.PartIterator;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn cat LOCATION}: the records of a committed checkpoint, one per line, partition by
 * partition, decoded with the serializer its manifest names and verified as they are read (a
 * damaged block is never printed).
 */
@Command(name = "cat", sortOptions = false,
        description = {"Print the records of the committed checkpoint at LOCATION, one per line.",
                "Each record's toString (line breaks escaped), partition by partition. Records are decoded with the serializer the manifest names (kryo or java)"
                + " and verified while read.",
                "Record classes must be on the class path: add them with --classpath."})
final class CatCommand extends CheckpointCommand {

    @Parameters(index = "0", paramLabel = "LOCATION", description = "The checkpoint's directory (the one holding _manifest.json).")
    String location;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", description = "Print at most N records.")
    Long limit;

    @Option(names = "--partition", paramLabel = "P", description = "Print partition P only (0 to partitions - 1).")
    Integer partition;

    @Option(names = "--classpath", paramLabel = "PATH", description = "Jars or class directories holding the record classes"
            + " (separated by '${sys:path.separator}', repeatable).")
    List<String> classpath = new ArrayList<>();

    @Override
    List<String> classpath() {
        return classpath;
    }

    @Override
    int execute(Environment env, Output out) throws Exception {
        if (limit != null && limit < 0) {
            throw new ParameterException(spec.commandLine(), "Invalid value for --limit (expected 0 or more, found " + limit + ")");
        }
        URI loc = env.location(location);
        CheckpointReader reader = CheckpointReader.open(env.storage(), loc, env.options());
        if (partition != null && (partition < 0 || partition >= reader.numPartitions())) {
            throw new ParameterException(spec.commandLine(), "Invalid value for --partition (expected 0 to " + (reader.numPartitions() - 1)
                    + " for " + loc + ", found " + partition + ")");
        }
        int from = partition == null ? 0 : partition;
        int to = partition == null ? reader.numPartitions() : partition + 1;
        long max = limit == null ? Long.MAX_VALUE : limit;
        long printed = 0;
        PrintWriter w = out.out();
        JsonGenerator g = null;
        if (out.json()) {
            g = out.jsonGenerator();
            g.writeStartObject();
            g.writeStringField("location", reader.location().toString());
            g.writeStringField("serializer", reader.manifest().serializer());
            g.writeArrayFieldStart("records");
        }
        try {
            for (int p = from; p < to && printed < max; p++) {
                try (PartIterator<Object> records = reader.openPart(env.storage(), p)) {
                    while (printed < max && records.hasNext()) {
                        Object r = records.next();
                        if (g != null) {
                            g.writeStartObject();
                            g.writeNumberField("partition", p);
                            g.writeStringField("class", r == null ? null : r.getClass().getName());
                            g.writeStringField("value", text(r));
                            g.writeEndObject();
                        } else {
                            w.println(oneLine(text(r)));
                        }
                        printed++;
                        if ((printed & 1023) == 0 && w.checkError()) {
                            return 0; // the reader went away (| head): stop reading
                        }
                    }
                }
            }
        } catch (dev.cairn.CairnException e) {
            if (g == null) {
                throw e;
            }
            // One JSON document still: the records printed so far, then the error that stopped the rest.
            end(g, printed, e);
            out.err().println(Failure.of(e).message());
            return CairnCli.PROBLEM;
        }
        if (g != null) {
            end(g, printed, null);
        }
        w.flush();
        return 0;
    }

    private static void end(JsonGenerator g, long printed, RuntimeException error) throws java.io.IOException {
        g.writeEndArray();
        g.writeNumberField("printed", printed);
        if (error != null) {
            g.writeFieldName("error");
            Failure.of(error).writeJson(g);
        }
        g.writeEndObject();
        g.close();
    }

    /** A record as text: its toString, arrays element by element. */
    static String text(Object r) {
        if (r instanceof Object[] a) {
            return Arrays.deepToString(a);
        }
        if (r != null && r.getClass().isArray()) {
            return Arrays.deepToString(new Object[] {r}).replaceAll("^\\[|\\]$", "");
        }
        return String.valueOf(r);
    }

    /** One record, one line: line breaks inside a record are escaped. */
    static String oneLine(String s) {
        return s.indexOf('\n') < 0 && s.indexOf('\r') < 0 ? s : s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }
}
