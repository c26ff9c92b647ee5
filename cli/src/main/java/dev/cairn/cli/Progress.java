package dev.cairn.cli;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long command, on standard error: a progress bar on a terminal, a plain line at
 * most once a second elsewhere (a log file, a pipe, CI), nothing with {@code --quiet}.
 *
 * <p>Thread-safe: workers call {@link #step} concurrently.
 */
abstract class Progress implements AutoCloseable {

    /** One unit of work done, of {@code bytes} bytes. */
    abstract void step(long bytes);

    @Override
    public abstract void close();

    /**
     * The progress display for {@code total} units of {@code what} ({@code parts}).
     *
     * @param quiet no display at all
     */
    static Progress of(String task, long total, String what, PrintWriter err, boolean quiet) {
        if (quiet || total == 0) {
            return new Progress() {
                @Override
                void step(long bytes) {
                }

                @Override
                public void close() {
                }
            };
        }
        return onTerminal() ? new Bar(task, total, what) : new Lines(task, total, what, err);
    }

    /** Java 17 has a console only when standard input and output are both terminals. */
    static boolean onTerminal() {
        String term = System.getenv("TERM");
        return System.console() != null && !"dumb".equals(term);
    }

    /** The progress bar library's bar, redrawn in place. */
    private static final class Bar extends Progress {
        private final ProgressBar bar;

        Bar(String task, long total, String what) {
            this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + what, 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).showSpeed().build();
        }

        @Override
        synchronized void step(long bytes) {
            bar.step();
        }

        @Override
        public synchronized void close() {
            bar.close();
        }
    }

    /** "verify: 3 of 8 parts, 1.2 MiB" lines, at most one a second, and one at the end. */
    private static final class Lines extends Progress {
        private static final long INTERVAL_NANOS = 1_000_000_000L;
        private final String task;
        private final long total;
        private final String what;
        private final PrintWriter err;
        private long done;
        private long bytes;
        private long last = System.nanoTime();

        Lines(String task, long total, String what, PrintWriter err) {
            this.task = task;
            this.total = total;
            this.what = what;
            this.err = err;
        }

        @Override
        synchronized void step(long n) {
            done++;
            bytes += n;
            long now = System.nanoTime();
            if (now - last >= INTERVAL_NANOS && done < total) {
                last = now;
                print();
            }
        }

        private void print() {
            err.println(task + ": " + done + " of " + total + " " + what + ", " + size(bytes));
            err.flush();
        }

        @Override
        public synchronized void close() {
            print();
        }
    }

    /** {@code 1.2 MiB}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
