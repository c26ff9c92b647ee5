package dev.cairn.spark.testkit;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;

/**
 * A rendezvous between a test and Spark tasks in other JVMs, through files in a folder both
 * see: a task reports its arrival (partition, attempt, the pid of its JVM) and, for the held
 * partitions, waits until the test opens the gate. So a test can kill the executor of a task
 * that is provably in the middle of its partition, then let the retry through.
 */
public final class TaskGate implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Pattern ARRIVAL = Pattern.compile("arrived-p(\\d+)-a(\\d+)-pid(\\d+)");
    private static final Duration TASK_WAIT = Duration.ofMinutes(2);

    private final String dir;
    private final Set<Integer> held;

    /** Where and when a task reached the gate. */
    public record Arrival(int partition, int attempt, long pid) {
    }

    private TaskGate(String dir, Set<Integer> held) {
        this.dir = dir;
        this.held = held;
    }

    /** A closed gate in {@code dir} that holds the first attempt of each partition in {@code held}. */
    public static TaskGate create(Path dir, Set<Integer> held) {
        try {
            return new TaskGate(Files.createDirectories(dir.resolve("gate")).toString(), Set.copyOf(held));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Task side: reports the arrival and, if held and the gate is closed, waits for it to open. */
    public void arrive(int partition) {
        TaskContext ctx = TaskContext.get();
        int attempt = ctx == null ? 0 : ctx.attemptNumber();
        Path d = Path.of(dir);
        try {
            Files.createFile(d.resolve("arrived-p" + partition + "-a" + attempt + "-pid" + ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!held.contains(partition) || attempt > 0) {
            return;
        }
        long deadline = System.nanoTime() + TASK_WAIT.toNanos();
        while (!Files.exists(d.resolve("open"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gate in " + dir + " stayed closed for " + TASK_WAIT);
            }
            pause(10);
        }
    }

    /** Test side: opens the gate for every waiting and future task. */
    public void open() {
        try {
            Files.createFile(Path.of(dir, "open"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Test side: waits for the first arrival of {@code partition}. */
    public Arrival awaitArrival(int partition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Arrival> a = arrivals(partition);
            if (!a.isEmpty()) {
                return a.get(0);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no task of partition " + partition + " reached the gate in " + timeout);
            }
            pause(10);
        }
    }

    /** Every arrival of {@code partition} so far, by attempt. */
    public List<Arrival> arrivals(int partition) {
        List<Arrival> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            files.forEach(f -> {
                Matcher m = ARRIVAL.matcher(f.getFileName().toString());
                if (m.matches() && Integer.parseInt(m.group(1)) == partition) {
                    out.add(new Arrival(partition, Integer.parseInt(m.group(2)), Long.parseLong(m.group(3))));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparingInt(Arrival::attempt));
        return out;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at the gate", e);
        }
    }
}
