package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.storage.FileStatus;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn verify LOCATION}: re-reads every part in parallel and reports every problem, each
 * naming the file with what was expected and what was found. Exit 0 when all is well, 1 otherwise.
 */
@Command(name = "verify", sortOptions = false,
        description = {"Re-read every part of the checkpoint at LOCATION and report every problem.",
                "Checks, in parallel, against _manifest.json:"
                + " presence, length, CRC32C of every block and of the file, record count, partition count; files the"
                + " manifest does not list.",
                "Reports every problem, one line each: KIND FILE DETAIL, where KIND is missing, extra, truncated, corrupt,"
                        + " count, uncommitted, newer-format, incompatible or io-error (the store failed: the data may be"
                        + " intact). Exit 0 all good, 1 a problem."})
final class VerifyCommand extends CheckpointCommand {

    @Parameters(index = "0", paramLabel = "LOCATION", description = "The checkpoint's directory (the one holding _manifest.json).")
    String location;

    @Option(names = {"-p", "--parallelism"}, paramLabel = "N", description = "Parts read at once (default: ${DEFAULT-VALUE}).")
    int parallelism = Math.max(4, Runtime.getRuntime().availableProcessors());

    @Option(names = "--expect-partitions", paramLabel = "N", description = "Also check that the checkpoint has N partitions.")
    Integer expectPartitions;

    @Option(names = "--checksums-only", description = "Check lengths and CRC32C without decoding records (no record count; faster).")
    boolean checksumsOnly;

    @Option(names = "--classpath", paramLabel = "PATH", description = "Jars or class directories holding the record classes, so"
            + " records can be decoded and counted (separated by '${sys:path.separator}', repeatable).")
    List<String> classpath = new ArrayList<>();

    @Option(names = {"-q", "--quiet"}, description = "No progress display.")
    boolean quiet;

    @Override
    List<String> classpath() {
        return classpath;
    }

    @Override
    int execute(Environment env, Output out) throws Exception {
        if (parallelism < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Invalid value for --parallelism (expected 1 or more,"
                    + " found " + parallelism + ")");
        }
        URI loc = env.location(location);
        CheckpointVerifier verifier = new CheckpointVerifier(env.storage(), env.options(), env.classLoader(), parallelism,
                !checksumsOnly, expectPartitions);
        CheckpointVerifier.Report report = verifier.verify(loc, n -> Progress.of("verify", n, "parts", out.err(), quiet || out.json()));
        if (out.json()) {
            writeJson(report, out);
        } else {
            List<String[]> rows = new ArrayList<>();
            for (Failure f : report.problems()) {
                rows.add(new String[] {f.kind(), f.target() == null ? loc.toString() : f.target(), detailOf(f)});
            }
            Table.align(rows).forEach(out::line);
            out.line(summary(report));
            if (report.ok() && report.recordsNote() != null && !checksumsOnly) {
                out.note("Records " + report.recordsNote());
            }
        }
        return report.ok() ? 0 : CairnCli.PROBLEM;
    }

    private static String detailOf(Failure f) {
        if (f.location() == null) {
            return f.message();
        }
        return f.expected() == null ? f.found() : "expected " + f.expected() + ", found " + f.found();
    }

    /** The last line: what was verified, or every problem counted by kind, in the project's form. */
    static String summary(CheckpointVerifier.Report r) {
        if (r.ok()) {
            return "Verified checkpoint of dataset " + r.dataset() + ": " + r.location() + " (" + r.partsChecked() + " parts, "
                    + (r.recordsChecked() ? r.records() + " records, " : "") + r.bytes() + " bytes: length, "
                    + (r.recordsChecked() ? "record count " : "") + "and CRC32C match _manifest.json)";
        }
        Map<String, Integer> byKind = new TreeMap<>();
        r.problems().forEach(f -> byKind.merge(f.kind(), 1, Integer::sum));
        List<String> counts = new ArrayList<>();
        byKind.forEach((k, n) -> counts.add(n + " " + k));
        String parts = r.manifest() == null ? "" : "; " + r.partsIntact() + " of " + r.partsChecked() + " parts intact";
        return "Cannot verify checkpoint of dataset " + r.dataset() + ": " + r.location() + " (expected a committed checkpoint whose"
                + " files match _manifest.json, found " + r.problems().size() + (r.problems().size() == 1 ? " problem: " : " problems: ")
                + String.join(", ", counts) + parts + ")";
    }

    private static void writeJson(CheckpointVerifier.Report r, Output out) throws java.io.IOException {
        try (JsonGenerator g = out.jsonGenerator()) {
            g.writeStartObject();
            g.writeStringField("location", r.location().toString());
            g.writeStringField("dataset", r.dataset());
            g.writeBooleanField("ok", r.ok());
            g.writeBooleanField("committed", committed(r));
            if (r.manifest() != null) {
                g.writeNumberField("formatVersion", r.manifest().formatVersion());
                g.writeNumberField("partitions", r.manifest().numPartitions());
            }
            g.writeNumberField("partsChecked", r.partsChecked());
            g.writeNumberField("partsIntact", r.partsIntact());
            g.writeNumberField("bytes", r.bytes());
            if (r.recordsChecked()) {
                g.writeNumberField("records", r.records());
            } else {
                g.writeNullField("records");
            }
            g.writeBooleanField("recordsChecked", r.recordsChecked());
            g.writeStringField("recordsNote", r.recordsNote());
            g.writeArrayFieldStart("problems");
            for (Failure f : r.problems()) {
                f.writeJson(g);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("foreign");
            for (FileStatus f : r.foreign()) {
                g.writeString(f.location().toString());
            }
            g.writeEndArray();
            g.writeStringField("summary", summary(r));
            g.writeEndObject();
        }
    }

    /** Whether a manifest is there, readable or not: no problem says it is missing. */
    static boolean committed(CheckpointVerifier.Report r) {
        return r.manifest() != null || r.problems().stream().noneMatch(f -> f.kind().equals(Failure.UNCOMMITTED)
                || f.kind().equals(Failure.MISSING) && CheckpointManifest.FILE_NAME.equals(f.file()));
    }
}
