package dev.cairn.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options every command takes: storage and serializer options, JSON output, verbosity. */
final class CommonOptions {

    @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE",
            description = {"A storage or serializer option, repeatable, e.g. -o cairn.s3.endpoint=http://127.0.0.1:9000;"
                    + " Hadoop settings as -o cairn.hadoop.<key>=<value>. Secret values are never printed."})
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--json", description = "Print one machine-readable JSON document instead of text.")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "Log what the stores do (INFO) and print stack traces of failures.")
    boolean verbose;

    /** Whether {@code args} ask for verbose output: logging is set up before picocli parses them. */
    static boolean verboseRequested(List<String> args) {
        return args.contains("-v") || args.contains("--verbose");
    }
}
