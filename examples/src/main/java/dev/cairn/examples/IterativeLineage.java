package dev.cairn.examples;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.ml.PeriodicCheckpointer;
import java.util.ArrayList;
import java.util.List;

/**
 * Why iterative jobs checkpoint: the same dataset transformed by {@code filter} and {@code map}
 * in a loop, twice side by side — once plain, once with a {@link PeriodicCheckpointer} that
 * checkpoints every {@code --interval} iterations. The plain lineage grows by two levels per
 * iteration, forever; the checkpointed one is cut back to its checkpoint every interval.
 * Prints the depth of both per iteration, then both lineages.
 *
 * <p>Run: {@code mvn -B -q -pl examples -am -DskipTests package exec:java -Dexec.mainClass=dev.cairn.examples.IterativeLineage}.
 */
public final class IterativeLineage {
    static final String USAGE = """
            IterativeLineage: lineage growth with and without periodic checkpoints.
              --checkpoint-dir <uri|path>  where checkpoints go (default: <tmp>/cairn-examples); any URI a storage module serves
              --iterations <n>             iterations (default 8)
              --interval <n>               checkpoint every n iterations (default 2)
            """;

    private IterativeLineage() {
    }

    /**
     * What the example measured.
     *
     * @param plainDepths        lineage depth after each iteration, without checkpoints
     * @param checkpointedDepths lineage depth after each iteration, with them
     * @param plainLineage       the final lineage without checkpoints
     * @param checkpointedLineage the final lineage with them
     * @param plainSum           the final sum without checkpoints
     * @param checkpointedSum    the final sum with them (equal: checkpoints change no result)
     */
    record Result(List<Integer> plainDepths, List<Integer> checkpointedDepths, String plainLineage, String checkpointedLineage,
                  long plainSum, long checkpointedSum) {
    }

    /** Runs the example; every option is optional. */
    public static void main(String[] args) {
        ExampleArgs a = new ExampleArgs(USAGE, args);
        if (a.helpRequested()) {
            return;
        }
        String dir = a.checkpointDir();
        int iterations = a.integer("iterations", 8, 1);
        int interval = a.integer("interval", 2, 1);
        a.rejectUnknown();
        run(dir, iterations, interval);
    }

    static Result run(String checkpointDir, int iterations, int interval) {
        try (CairnContext ctx = CairnContext.builder().appName("iterative-lineage").parallelism(2).checkpointDir(checkpointDir).build()) {
            PeriodicCheckpointer<Long> checkpointer = PeriodicCheckpointer.<Long>builder(ctx).interval(interval).build();
            Dataset<Long> start = ctx.range(0, 10_000, 4);
            Dataset<Long> plain = start;
            Dataset<Long> checked = start;
            List<Integer> plainDepths = new ArrayList<>();
            List<Integer> checkedDepths = new ArrayList<>();
            long plainSum = 0;
            long checkedSum = 0;
            System.out.println("Lineage depth per iteration, without and with a checkpoint every " + interval + " iterations:");
            try (IterationProgress progress = new IterationProgress("lineage", 0, iterations, System.out)) {
                for (int i = 1; i <= iterations; i++) {
                    plain = step(plain, i);
                    checked = step(checked, i);
                    boolean marked = checkpointer.update(checked);
                    plainSum = plain.reduce(Long::sum);
                    checkedSum = checked.reduce(Long::sum); // the action that writes the marked checkpoint
                    plainDepths.add(plain.lineageDepth());
                    checkedDepths.add(checked.lineageDepth());
                    progress.iterationDone(i, String.format("depth %3d without, %2d with checkpoints%s", plain.lineageDepth(),
                            checked.lineageDepth(), marked ? " (checkpointed: cut)" : ""));
                }
            }
            String plainLineage = plain.lineage();
            String checkedLineage = checked.lineage();
            System.out.println();
            System.out.println("Lineage without checkpoints (" + plain.lineageDepth() + " levels, back to the range):");
            System.out.print(plainLineage);
            System.out.println();
            System.out.println("Lineage with checkpoints (" + checked.lineageDepth() + " levels, back to the last checkpoint):");
            System.out.print(checkedLineage);
            System.out.println();
            System.out.println("Same result either way: sum " + plainSum + " = " + checkedSum);
            checkpointer.deleteAllCheckpoints();
            return new Result(plainDepths, checkedDepths, plainLineage, checkedLineage, plainSum, checkedSum);
        }
    }

    /** One iteration: drop some records, shift the rest. */
    private static Dataset<Long> step(Dataset<Long> ds, int iteration) {
        return ds.filter(x -> x % 10 != iteration % 10).map(x -> x + iteration);
    }
}
