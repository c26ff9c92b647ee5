package dev.cairn.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code cairn} command: {@code ls}, {@code inspect}, {@code verify}, {@code gc} and
 * {@code cat} for checkpoints on any store Cairn serves. Commands, options, output and exit codes
 * are public API (see {@code docs/cli.md}): 0 success, 1 a problem (a damaged or uncommitted
 * checkpoint, a store failure), 2 a usage error (unknown command or option, unknown URI scheme,
 * missing argument), which also prints the usage.
 */
@Command(name = "cairn",
        mixinStandardHelpOptions = true,
        versionProvider = CairnCli.Version.class,
        description = "Look at, verify and clean up Cairn checkpoints on file://, s3://, hdfs://, s3a:// and other stores.",
        subcommands = {LsCommand.class, InspectCommand.class, VerifyCommand.class, GcCommand.class, CatCommand.class,
                CommandLine.HelpCommand.class, AutoComplete.GenerateCompletion.class},
        footer = {"", "Exit codes: 0 success, 1 a problem found (damaged, uncommitted, store failure), 2 usage error.",
                "Documentation: docs/cli.md"})
public final class CairnCli implements Runnable {
    /** Exit code: a problem was found or a command could not complete. */
    static final int PROBLEM = 1;
    /** Exit code: the command line was wrong. */
    static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    /** Without a command: say so and show the usage (exit 2). */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: expected one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * Runs the command line and exits with its exit code.
     */
    public static void main(String[] args) {
        Redactor redactor = Redactor.fromArguments(args);
        // Every byte the command or a library prints goes through the redactor: secrets never reach a terminal or a log.
        PrintStream out = new PrintStream(redactor.filter(new java.io.FileOutputStream(java.io.FileDescriptor.out)), false,
                StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(redactor.filter(new java.io.FileOutputStream(java.io.FileDescriptor.err)), true,
                StandardCharsets.UTF_8);
        System.setOut(out);
        System.setErr(err);
        configureLogging(args);
        int code = run(args, out, err, redactor);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the command line with the given streams; returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err, Redactor redactor) {
        CommandLine cli = commandLine(redactor);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    static CommandLine commandLine(Redactor redactor) {
        CommandLine cli = new CommandLine(new CairnCli(), new Factory(redactor));
        cli.setParameterExceptionHandler((e, args) -> {
            // Every usage error prints the usage of the command it concerns, and exits 2.
            CommandLine cmd = e.getCommandLine();
            PrintWriter err = cmd.getErr();
            err.println(e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            cmd.usage(err);
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            // Commands report the failures they expect; what reaches here is unexpected.
            commandLine.getErr().println("Cannot run cairn " + commandLine.getCommandName() + " (expected it to complete, found "
                    + e + "; run with --verbose for the stack trace)");
            if (CommonOptions.verboseRequested(parseResult.originalArgs())) {
                e.printStackTrace(commandLine.getErr());
            }
            return PROBLEM;
        });
        return cli;
    }

    /** Quiet by default: warnings only, and not the Hadoop client's note about native libraries. */
    private static void configureLogging(String[] args) {
        boolean verbose = CommonOptions.verboseRequested(java.util.Arrays.asList(args));
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop.util.NativeCodeLoader", "error");
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop.metrics2", "error");
        // The command reports files a manifest does not list itself (ls, verify): not again as a library warning.
        System.setProperty("org.slf4j.simpleLogger.log.dev.cairn.checkpoint.CheckpointReader", "error");
    }

    /** Gives every command the shared redactor. */
    private static final class Factory implements CommandLine.IFactory {
        private final Redactor redactor;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(Redactor redactor) {
            this.redactor = redactor;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            K made = fallback.create(type);
            if (made instanceof CheckpointCommand c) {
                c.redactor = redactor;
            }
            return made;
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = CairnCli.class.getPackage().getImplementationVersion();
            return new String[] {"cairn " + (v == null ? "(development build)" : v) + ", Java " + System.getProperty("java.version")};
        }
    }
}
