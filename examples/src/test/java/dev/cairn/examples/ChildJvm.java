package dev.cairn.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A main running in a child JVM (this JVM's {@code java}, the test class path), its standard
 * output read line by line on a thread of its own and its standard error kept in a file. The
 * child's standard input stays open as long as this JVM holds it: the server mains of the kill
 * campaign end when it closes, so a test JVM that dies leaves no server behind.
 *
 * <p>What crash tests need: wait for a line, stop the child with SIGKILL as a crashed machine or
 * an OOM killer would, and describe what it printed when something goes wrong.
 */
public final class ChildJvm implements AutoCloseable {
    private static final String EOF = "\u0000end of output";
    /** Exit status of a process ended by SIGKILL: 128 + 9. */
    public static final int SIGKILLED = 137;

    private final String name;
    private final Process process;
    private final Path stderr;
    private final long startNanos;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;

    private ChildJvm(String name, Process process, Path stderr, long startNanos) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.startNanos = startNanos;
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    all.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("READ FAILED " + e);
            }
            lines.add(EOF);
        }, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM.
     *
     * @param name     for thread and file names
     * @param jvmFlags flags before the class path (heap size, {@code --add-exports} …)
     * @param logDir   where the child's standard error goes
     */
    public static ChildJvm start(String name, List<String> jvmFlags, String mainClass, List<String> args, Path logDir) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        Files.createDirectories(logDir);
        Path err = Files.createTempFile(logDir, name + "-", ".err");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        return new ChildJvm(name, p, err, start);
    }

    /** Waits up to {@code wait} for a line that {@code wanted} accepts; fails the test on timeout or when the child ends first. */
    public String awaitLine(Predicate<String> wanted, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                fail("The child printed no matching line within " + wait + "; " + describe());
            }
            if (line.equals(EOF)) {
                lines.add(EOF); // for later waits too
                fail("The child ended without printing the line waited for; " + describe());
            }
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /**
     * Waits for a line that {@code wanted} accepts until the child has run {@code untilAgeMillis}
     * since its start; empty when that moment comes first or the child ends without printing one.
     */
    public java.util.Optional<String> pollLine(Predicate<String> wanted, long untilAgeMillis) throws InterruptedException {
        while (true) {
            long left = untilAgeMillis - ageMillis();
            if (left <= 0) {
                return java.util.Optional.empty();
            }
            String line = lines.poll(left, TimeUnit.MILLISECONDS);
            if (line == null) {
                return java.util.Optional.empty();
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                return java.util.Optional.empty();
            }
            if (wanted.test(line)) {
                return java.util.Optional.of(line);
            }
        }
    }

    /** {@link #awaitLine} for a whole-line match of {@code pattern}. */
    public Matcher awaitMatch(Pattern pattern, Duration wait) throws InterruptedException {
        Matcher m = pattern.matcher(awaitLine(l -> pattern.matcher(l).matches(), wait));
        assertTrue(m.matches());
        return m;
    }

    /** Every line printed so far, whether waited for or not. */
    public List<String> output() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    /** Milliseconds since the process was started. */
    public long ageMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits until the child has run {@code millis} since its start or has ended, whichever comes first; true if still running. */
    public boolean runUntil(long millis) throws InterruptedException {
        long left = millis - ageMillis();
        return left <= 0 ? process.isAlive() : !process.waitFor(left, TimeUnit.MILLISECONDS);
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Linux), then waits for the end; fails unless the kill ended it. */
    public void kill(Duration wait) throws InterruptedException {
        assertEquals(SIGKILLED, killOrExit(wait), "killed by SIGKILL (128 + 9); " + describe());
    }

    /**
     * SIGKILL, then waits for the end and returns the exit status: {@link #SIGKILLED}, or the
     * child's own status when it ended by itself just before the signal.
     */
    public int killOrExit(Duration wait) throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(wait.toSeconds(), TimeUnit.SECONDS), "the child ended after SIGKILL; " + describe());
        reader.join(TimeUnit.SECONDS.toMillis(10)); // the lines it printed before the end, all of them
        return process.exitValue();
    }

    /** Waits for the child to end by itself and returns its exit status. */
    public int waitForExit(Duration wait) throws InterruptedException {
        assertTrue(process.waitFor(wait.toSeconds(), TimeUnit.SECONDS), "the child ended within " + wait + "; " + describe());
        reader.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    public String stderr() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return "(cannot read " + stderr + ": " + e + ")";
        }
    }

    /** What the child printed, for failure messages. */
    public String describe() {
        return name + " stdout:\n" + String.join("\n", output()) + "\nstderr (" + stderr + "):\n" + stderr();
    }

    /**
     * Closes the child's standard input, which the campaign's server mains take as the signal to
     * shut down, waits up to {@code wait} for the end, then kills it if it still runs.
     */
    public void stop(Duration wait) throws InterruptedException {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // already closed: the child is ending anyway
        }
        if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            close();
        }
    }

    /** Ends the child with SIGKILL if it still runs (a no-op after {@link #kill} or its own end). */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
