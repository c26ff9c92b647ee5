package dev.cairn.examples;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One progress-bar line per iteration ({@code ALS  45% [=====>     ] 9/20 (0:00:04 / 0:00:05) RMSE 0.1204}),
 * rendered by the progressbar library and printed by the caller's thread, so the lines stay in
 * order with the rest of the example's output and read well in a log or CI console, where a
 * bar redrawn in place with carriage returns would not.
 */
final class IterationProgress implements AutoCloseable {
    private static final int MESSAGE_WIDTH = 80;
    private final ProgressBar bar;
    private final PrintStream out;
    private volatile String rendered = "";

    /**
     * @param task      the label at the start of each line
     * @param done      iterations already done (a resumed run starts past 0)
     * @param total     the last iteration
     * @param out       where lines go
     */
    IterationProgress(String task, int done, int total, PrintStream out) {
        this.out = out;
        this.bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(Math.max(total, 1))
                .startsFrom(done, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                // The library renders on its own timer thread; render only when asked, from this thread.
                .setUpdateIntervalMillis(Integer.MAX_VALUE)
                .setConsumer(new DelegatingProgressBarConsumer(line -> rendered = line, 150))
                .build();
    }

    /** Prints the line for {@code iteration} with {@code message} after the bar. */
    void iterationDone(int iteration, String message) {
        // Padded so that the bar keeps its width whatever the message: the library shortens the bar to fit the line.
        bar.setExtraMessage(String.format("%-" + MESSAGE_WIDTH + "s", message));
        bar.stepTo(iteration);
        bar.refresh(); // renders into `rendered` on this thread
        out.println(rendered.strip());
        out.flush();
    }

    @Override
    public void close() {
        bar.close();
    }
}
