package dev.cairn.cli;

import dev.cairn.CairnException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every command shares: the common options, the environment (options checked, storage
 * opened) and the reporting of failures. A failure of the store or of a checkpoint ends the
 * command with exit code 1 and a message in the project's form; usage errors are picocli's
 * {@code ParameterException}s (exit 2, with the usage).
 */
abstract class CheckpointCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    /** Set by {@link CairnCli}'s factory. */
    Redactor redactor = new Redactor();

    @Override
    public final Integer call() throws Exception {
        redactor.addSecretsOf(common.options);
        Output output = new Output(spec.commandLine().getOut(), spec.commandLine().getErr(), common.json, common.verbose);
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (Environment env = Environment.open(spec.commandLine(), common.options, classpath())) {
            // Serializers resolve record classes through the context class loader.
            thread.setContextClassLoader(env.classLoader());
            return execute(env, output);
        } catch (CairnException e) {
            return output.failure(e);
        } finally {
            thread.setContextClassLoader(previous);
            output.out().flush();
            output.err().flush();
        }
    }

    /** Runs the command; returns its exit code. */
    abstract int execute(Environment env, Output out) throws Exception;

    /** Jars and directories to load record classes from; none unless the command takes {@code --classpath}. */
    List<String> classpath() {
        return List.of();
    }
}
