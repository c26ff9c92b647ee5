package dev.cairn.spark.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM started by a test, whose output goes to a log file and is watched line by line, so a
 * test can await a log line (a server's "started at …") instead of sleeping. {@link #close()}
 * ends it and every process it started (a Spark Worker's executors).
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> lines = new ArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private boolean ended;

    private record Waiter(Pattern pattern, CompletableFuture<Matcher> result) {
    }

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code java <jvmArgs> <mainClass> <args>} with this JVM's {@code java} binary.
     *
     * @param env added to (or replacing in) this JVM's environment
     */
    public static ChildJvm start(String name, Path log, List<String> jvmArgs, String mainClass, List<String> args,
                                 Map<String, String> env) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add(mainClass);
        command.addAll(args);
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        ChildJvm jvm = new ChildJvm(name, pb.start(), log);
        Thread pump = new Thread(jvm::pump, "log-" + name);
        pump.setDaemon(true);
        pump.start();
        return jvm;
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
            for (String line; (line = in.readLine()) != null; ) {
                out.println(line);
                synchronized (this) {
                    lines.add(line);
                    for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                        Waiter w = it.next();
                        Matcher m = w.pattern().matcher(line);
                        if (m.find()) {
                            w.result().complete(m);
                            it.remove();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the process ended or was killed: the waiters below learn it
        } finally {
            synchronized (this) {
                ended = true;
                notifyAll();
                for (Waiter w : waiters) {
                    w.result().completeExceptionally(new IllegalStateException(name + " ended (exit "
                            + exitCode() + ") before logging /" + w.pattern() + "/; see " + log));
                }
                waiters.clear();
            }
        }
    }

    private String exitCode() {
        return process.isAlive() ? "not yet" : Integer.toString(process.exitValue());
    }

    /** Waits for the first line (logged so far or later) that matches {@code regex}, and returns its match. */
    public Matcher await(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        CompletableFuture<Matcher> result = new CompletableFuture<>();
        synchronized (this) {
            for (String line : lines) {
                Matcher m = pattern.matcher(line);
                if (m.find()) {
                    return m;
                }
            }
            if (ended) {
                throw new IllegalStateException(name + " ended (exit " + exitCode() + ") before logging /" + regex + "/; see " + log);
            }
            waiters.add(new Waiter(pattern, result));
        }
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " did not log /" + regex + "/ within " + timeout + "; see " + log, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Every line the process printed, once it has ended and its output is read to the end (a
     * killed process's last lines may still be in the pipe when it is reported dead).
     */
    public synchronized List<String> outputAfterExit(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException(name + " did not end within " + timeout + "; see " + log);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return new ArrayList<>(lines);
    }

    /** The process. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** Where its output goes. */
    public Path log() {
        return log;
    }

    /**
     * Ends the process and its descendants: politely first (a Worker's shutdown hook stops its
     * executors), then by force whatever is left after 10 seconds.
     */
    @Override
    public void close() {
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        family.addAll(process.descendants().toList());
        for (ProcessHandle h : family) {
            h.destroyForcibly();
        }
        for (ProcessHandle h : family) {
            h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", log " + log + ")";
    }
}
