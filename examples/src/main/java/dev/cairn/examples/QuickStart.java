package dev.cairn.examples;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.ml.PeriodicCheckpointer;
import dev.cairn.checkpoint.CheckpointScanner;
import dev.cairn.storage.FileStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The first thing to read: a range, {@code map(x -> x + 1)}, a lazy {@code checkpoint()} and
 * a {@code count()} that computes the dataset once and writes its partitions on the way; then
 * what the checkpoint is on disk (the {@code dataset-N} folder, its part files and its
 * manifest) and the lineage before and after the cut. A short loop then shows the same with a
 * {@link PeriodicCheckpointer}, one progress line per iteration.
 *
 * <p>Run: {@code mvn -B -q -pl examples -am -DskipTests package exec:java -Dexec.mainClass=dev.cairn.examples.QuickStart}.
 */
public final class QuickStart {
    static final String USAGE = """
            QuickStart: checkpoint one dataset and look at what was written.
              --checkpoint-dir <uri|path>  where checkpoints go (default: <tmp>/cairn-examples); any URI a storage module serves
              --iterations <n>             iterations of the short loop at the end (default 4)
              --interval <n>               checkpoint every n iterations in that loop (default 2)
            """;

    private QuickStart() {
    }

    /**
     * What the example showed.
     *
     * @param count          the count of the checkpointed dataset
     * @param location       its checkpoint directory
     * @param files          the names of the files in it
     * @param lineageBefore  the lineage before the count
     * @param lineageAfter   the lineage after it
     * @param depths         the lineage depth after each iteration of the loop
     */
    record Result(long count, URI location, List<String> files, String lineageBefore, String lineageAfter, List<Integer> depths) {
    }

    /** Runs the example; every option is optional. */
    public static void main(String[] args) {
        ExampleArgs a = new ExampleArgs(USAGE, args);
        if (a.helpRequested()) {
            return;
        }
        String dir = a.checkpointDir();
        int iterations = a.integer("iterations", 4, 0);
        int interval = a.integer("interval", 2, 1);
        a.rejectUnknown();
        run(dir, iterations, interval);
    }

    static Result run(String checkpointDir, int iterations, int interval) {
        try (CairnContext ctx = CairnContext.builder().appName("quick-start").parallelism(2).checkpointDir(checkpointDir).build()) {
            Dataset<Long> numbers = ctx.range(0, 1_000, 4);
            Dataset<Long> plusOne = numbers.map(x -> x + 1);
            plusOne.checkpoint(); // lazy: nothing is written yet

            String before = plusOne.lineage();
            System.out.println("Lineage before the first action (the checkpoint is only marked):");
            System.out.print(indent(before));

            long count = plusOne.count(); // computes each partition once, writing it to its part file as it goes
            System.out.println("count() = " + count + "; checkpointed: " + plusOne.isCheckpointed());

            URI location = plusOne.checkpointLocation().orElseThrow();
            CheckpointScanner.Entry checkpoint = ctx.scanCheckpoints(location).committed().get(0);
            System.out.println();
            System.out.println("The checkpoint is a folder named after the dataset id, under a folder named after the context id:");
            System.out.println("  " + location);
            List<FileStatus> files = new ArrayList<>(checkpoint.files());
            files.sort(Comparator.comparing(FileStatus::name));
            List<String> names = new ArrayList<>();
            for (FileStatus f : files) {
                names.add(f.name());
                System.out.printf("  %-16s %,8d bytes%n", f.name(), f.length());
            }
            System.out.println();
            System.out.println("The manifest, written last: its presence is the commit. It lists every part with its size, record count"
                    + " and CRC32C:");
            System.out.println(indent(new String(checkpoint.manifest().toJson(), StandardCharsets.UTF_8)));

            String after = plusOne.lineage();
            System.out.println("Lineage after the count: the dataset now reads its checkpoint; the range is gone from its lineage:");
            System.out.print(indent(after));

            List<Integer> depths = loop(ctx, plusOne, iterations, interval);
            System.out.println();
            System.out.println("Checkpoint files are kept under " + ctx.checkpointDir().orElseThrow() + "/" + ctx.contextId()
                    + " (delete the folder when done looking).");
            return new Result(count, location, names, before, after, depths);
        }
    }

    /** {@code x -> x + 1} again and again, checkpointed every {@code interval} iterations. */
    private static List<Integer> loop(CairnContext ctx, Dataset<Long> start, int iterations, int interval) {
        List<Integer> depths = new ArrayList<>();
        if (iterations == 0) {
            return depths;
        }
        System.out.println();
        System.out.println("The same in a loop, with a periodic checkpointer (every " + interval + " iterations, keeping the last one):");
        PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(interval).build();
        Dataset<Long> ds = start;
        try (IterationProgress progress = new IterationProgress("loop", 0, iterations, System.out)) {
            for (int i = 1; i <= iterations; i++) {
                ds = ds.map(x -> x + 1);
                boolean marked = checkpointer.update(ds);
                long sum = ds.reduce(Long::sum);
                depths.add(ds.lineageDepth());
                Optional<URI> at = ds.checkpointLocation();
                progress.iterationDone(i, "sum " + sum + ", lineage depth " + ds.lineageDepth()
                        + (marked ? ", checkpointed to " + at.map(QuickStart::lastSegment).orElse("?") : ""));
            }
        }
        checkpointer.deleteAllCheckpoints();
        return depths;
    }

    private static String lastSegment(URI uri) {
        String p = uri.getPath();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    private static String indent(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n")) {
            out.append("  ").append(line).append('\n');
        }
        return out.toString();
    }
}
