package dev.cairn.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Waits, before a measurement, until the 1-minute load average is below a threshold, so that the
 * figures are not those of a machine busy with something else. Gives up after a time limit and
 * says so: the caller records the load either way.
 */
public final class QuietMachine {
    private QuietMachine() {
    }

    /**
     * Polls once a minute until the load is below {@code maxLoad} or {@code minutes} have passed.
     *
     * @return null when the machine became quiet, else a note saying it did not
     */
    public static String await(double maxLoad, long minutes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        while (true) {
            double load = Double.parseDouble(load1());
            if (load < maxLoad) {
                System.out.printf(Locale.ROOT, "1-minute load %.2f < %.2f: starting%n", load, maxLoad);
                return null;
            }
            if (System.nanoTime() > deadline) {
                return String.format(Locale.ROOT, "The 1-minute load average stayed at or above %.2f for %d minutes; ran anyway at %.2f.",
                        maxLoad, minutes, load);
            }
            System.out.printf(Locale.ROOT, "1-minute load %.2f >= %.2f: waiting%n", load, maxLoad);
            Thread.sleep(60_000);
        }
    }

    /** The 1-, 5- and 15-minute load averages as /proc/loadavg shows them, or "unknown". */
    public static String loadAverages() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The 1-minute load average as /proc/loadavg shows it, or "-1". */
    public static String load1() {
        String all = loadAverages();
        return all.equals("unknown") ? "-1" : all.substring(0, all.indexOf(' '));
    }
}
