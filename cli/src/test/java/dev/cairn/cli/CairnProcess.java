package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code cli/target/cairn} as a child process, the way a person or a script
 * does: by absolute path, from another working directory, with only {@code java} on the PATH.
 */
final class CairnProcess {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path EXECUTABLE = Path.of(System.getProperty("cairn.executable", "target/cairn")).toAbsolutePath();

    private CairnProcess() {
    }

    /**
     * What a run printed and returned.
     *
     * @param exit   the exit code
     * @param stdout standard output
     * @param stderr standard error
     */
    record Result(int exit, String stdout, String stderr) {

        /** Standard output as JSON. */
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not JSON: " + stdout + "\nstderr: " + stderr, e);
            }
        }

        /** Non-empty lines of standard output. */
        List<String> lines() {
            return Arrays.stream(stdout.split("\n")).filter(l -> !l.isBlank()).toList();
        }

        /** Asserts the exit code, showing both streams when it differs. */
        Result exits(int expected) {
            assertEquals(expected, exit, () -> "exit code of cairn\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr);
            return this;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        }
    }

    /** Runs {@code cairn args…} in a scratch working directory. */
    static Result run(String... args) {
        return run(List.of(args));
    }

    /** Runs {@code cairn args…} in a scratch working directory. */
    static Result run(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(EXECUTABLE.toString());
        command.addAll(args);
        try {
            Path work = Files.createTempDirectory("cairn-cli-it");
            Path out = work.resolve("stdout");
            Path err = work.resolve("stderr");
            ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            // Only java on the PATH: what the executable promises to need.
            String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
            pb.environment().put("PATH", javaBin + ":/usr/bin:/bin");
            pb.environment().remove("JAVA_HOME");
            pb.environment().remove("CAIRN_JAVA_OPTS");
            Process p = pb.start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("cairn " + args + " did not finish within 3 minutes");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            Files.delete(work);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
