package dev.cairn.examples;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.CheckpointState;
import dev.cairn.HashPartitioner;
import dev.cairn.KeyedDataset;
import dev.cairn.Pair;
import dev.cairn.Partitioner;
import dev.cairn.StorageLevel;
import dev.cairn.ml.PeriodicCheckpointer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * PageRank on a seeded synthetic graph with a power-law in-degree, its ranks checkpointed every
 * {@code --interval} iterations with a {@link PeriodicCheckpointer}. Prints, per iteration, how
 * much the ranks still change and the lineage depth, then the top ranks.
 *
 * <p>The graph: node {@code n} links to 1 + a few (geometric, mean {@code --degree}) distinct
 * other nodes; a target is {@code ⌊nodes · u³⌋} for uniform {@code u}, so low ids attract most
 * links and the in-degree falls off as a power of the id (about id^-2/3). Every node has at
 * least one link, so no rank leaks away and the ranks always sum to the number of nodes.
 *
 * <p>The links are partitioned once and persisted; the ranks are partitioned the same way, so
 * the join of every iteration is narrow and only the contributions are shuffled (as in Spark's
 * PageRank example). Each iteration deepens the ranks' lineage by seven levels; the checkpoint
 * cuts it back to two.
 *
 * <p>With {@code --async} the checkpoints are written in the background
 * ({@link CheckpointMode#ASYNC}): the iteration that marks the ranks computes and holds them and
 * goes on; each line shows how many checkpoints are still uploading, and a line says when each one
 * commits (the lineage is cut then, so the depth falls an iteration or two later than without).
 *
 * <p>Run: {@code mvn -B -q -pl examples -am -DskipTests package exec:java -Dexec.mainClass=dev.cairn.examples.PageRank}.
 */
public final class PageRank {
    static final String USAGE = """
            PageRank: on a synthetic power-law graph, checkpointed every few iterations.
              --checkpoint-dir <uri|path>  where checkpoints go (default: <tmp>/cairn-examples); any URI a storage module serves
              --iterations <n>             iterations (default 20)
              --interval <n>               checkpoint every n iterations (default 5)
              --async                      write checkpoints in the background while the next iterations run
              --option <key=value>         a Cairn option, repeatable (e.g. cairn.s3.endpoint=http://127.0.0.1:9000 for s3://)
              --nodes <n> --degree <n>     graph size and mean out-degree (default 50000, 8)
              --top <n>                    ranks to print (default 10)
              --seed <n> --partitions <n> --parallelism <n>   (default 7, 4, available processors)
            """;
    private static final double DAMPING = 0.85;

    private PageRank() {
    }

    /**
     * What a run produced.
     *
     * @param top      the highest ranks, (node, rank), highest first
     * @param sum      the sum of all ranks (the number of nodes, up to rounding)
     * @param depths   the ranks' lineage depth after each iteration
     * @param changes  the L1 change of the ranks in each iteration
     */
    record Result(List<Pair<Integer, Double>> top, double sum, List<Integer> depths, List<Double> changes) {
    }

    /** Runs the example; every option is optional. */
    public static void main(String[] args) {
        ExampleArgs a = new ExampleArgs(USAGE, args);
        if (a.helpRequested()) {
            return;
        }
        String dir = a.checkpointDir();
        int iterations = a.integer("iterations", 20, 0);
        int interval = a.integer("interval", 5, 1);
        int nodes = a.integer("nodes", 50_000, 2);
        int degree = a.integer("degree", 8, 1);
        int top = a.integer("top", 10, 0);
        long seed = a.longValue("seed", 7);
        int partitions = a.integer("partitions", 4, 1);
        int parallelism = a.integer("parallelism", Runtime.getRuntime().availableProcessors(), 1);
        boolean async = a.flag("async");
        Map<String, String> options = a.contextOptions();
        a.rejectUnknown();
        run(dir, iterations, interval, nodes, degree, top, seed, partitions, parallelism, async, options);
    }

    static Result run(String checkpointDir, int iterations, int interval, int nodes, int degree, int top, long seed, int partitions,
                      int parallelism) {
        return run(checkpointDir, iterations, interval, nodes, degree, top, seed, partitions, parallelism, false, Map.of());
    }

    static Result run(String checkpointDir, int iterations, int interval, int nodes, int degree, int top, long seed, int partitions,
                      int parallelism, boolean async, Map<String, String> options) {
        try (CairnContext ctx = CairnContext.builder().appName("pagerank").parallelism(parallelism).options(options)
                .checkpointDir(checkpointDir).build()) {
            long start = System.nanoTime();
            Partitioner part = new HashPartitioner(partitions);
            KeyedDataset<Integer, int[]> links = ctx.range(0, nodes, partitions)
                    .keyBy(Long::intValue)
                    .mapValues(n -> linksOf(n.intValue(), nodes, degree, seed))
                    .partitionBy(part)
                    .setName("links")
                    .persist(StorageLevel.MEMORY);
            long edges = links.values().map(l -> (long) l.length).reduce(Long::sum);
            System.out.printf("PageRank: %,d nodes, %,d links (seed %d), %d iterations, checkpoint every %d%s; graph built in %.1f s%n",
                    nodes, edges, seed, iterations, interval, async ? " in the background" : "", (System.nanoTime() - start) / 1e9);

            PeriodicCheckpointer<Pair<Integer, Double>> checkpointer = PeriodicCheckpointer.<Pair<Integer, Double>>builder(ctx)
                    .interval(interval).mode(async ? CheckpointMode.ASYNC : CheckpointMode.LAZY).build();
            Map<Integer, KeyedDataset<Integer, Double>> uploading = new LinkedHashMap<>(); // iteration → ranks, async only
            KeyedDataset<Integer, Double> ranks = links.mapValues(l -> 1.0);
            List<Integer> depths = new ArrayList<>();
            List<Double> changes = new ArrayList<>();
            try (IterationProgress progress = new IterationProgress("PageRank", 0, iterations, System.out)) {
                for (int i = 1; i <= iterations; i++) {
                    KeyedDataset<Integer, Double> previous = ranks;
                    ranks = step(links, ranks, part).setName("ranks@" + i);
                    boolean marked = checkpointer.update(ranks);
                    // The action: computes the new ranks (writing the checkpoint when marked) and compares with the previous ones.
                    double change = ranks.join(previous).values().map(p -> Math.abs(p.key() - p.value())).reduce(Double::sum);
                    changes.add(change);
                    depths.add(ranks.lineageDepth());
                    String message = String.format("change %.3e, lineage depth %2d", change, ranks.lineageDepth());
                    if (async) {
                        if (marked) {
                            uploading.put(i, ranks);
                        }
                        reportCommitted(uploading);
                        message += (marked ? ", checkpoint started" : "") + ", uploads in flight " + uploading.size();
                    } else if (marked) {
                        message += " (checkpointed)";
                    }
                    progress.iterationDone(i, message);
                }
            }
            if (async) {
                checkpointer.awaitCheckpoints();
                reportCommitted(uploading);
            }
            List<Pair<Integer, Double>> all = ranks.collect();
            double sum = all.stream().mapToDouble(Pair::value).sum();
            List<Pair<Integer, Double>> best = all.stream()
                    .sorted(Comparator.comparing((Pair<Integer, Double> p) -> p.value()).reversed().thenComparing(Pair::key))
                    .limit(top).toList();
            System.out.printf("Top %d of %,d ranks (sum %.3f):%n", best.size(), all.size(), sum);
            for (Pair<Integer, Double> p : best) {
                System.out.printf("  node %7d  rank %10.4f%n", p.key(), p.value());
            }
            System.out.println("Final lineage of the ranks (" + ranks.lineageDepth() + " levels):");
            System.out.print(ranks.lineage());
            checkpointer.deleteAllCheckpoints();
            System.out.printf("Done in %.1f s%n", (System.nanoTime() - start) / 1e9);
            return new Result(best, sum, depths, changes);
        }
    }

    /**
     * Prints a line for each background checkpoint that committed since the last call, and forgets
     * it; also forgets one that failed (the checkpointer logged why). Commits happen in order.
     */
    private static void reportCommitted(Map<Integer, KeyedDataset<Integer, Double>> uploading) {
        for (Iterator<Map.Entry<Integer, KeyedDataset<Integer, Double>>> it = uploading.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, KeyedDataset<Integer, Double>> e = it.next();
            CheckpointState state = e.getValue().checkpointState();
            if (state == CheckpointState.IN_PROGRESS) {
                return;
            }
            if (state == CheckpointState.CHECKPOINTED) {
                String path = e.getValue().checkpointLocation().orElseThrow().getPath();
                System.out.println("    checkpoint of iteration " + e.getKey() + " committed: " + path.substring(path.lastIndexOf('/') + 1));
            }
            it.remove();
        }
    }

    /** One iteration: every node shares its rank among its links; a rank is 0.15 + 0.85 × what it receives. */
    static KeyedDataset<Integer, Double> step(KeyedDataset<Integer, int[]> links, KeyedDataset<Integer, Double> ranks, Partitioner part) {
        return links.join(ranks)                      // (node, (links, rank)): co-partitioned, no shuffle
                .flatMap(PageRank::contributions)     // (target, share) for each link, and (node, 0) to keep every node
                .keyBy(Pair::key)
                .mapValues(Pair::value)
                .reduceByKey(part, Double::sum)       // the shuffle, combined map-side
                .mapValues(received -> (1 - DAMPING) + DAMPING * received);
    }

    private static List<Pair<Integer, Double>> contributions(Pair<Integer, Pair<int[], Double>> node) {
        int[] targets = node.value().key();
        double share = node.value().value() / targets.length;
        List<Pair<Integer, Double>> out = new ArrayList<>(targets.length + 1);
        out.add(new Pair<>(node.key(), 0.0)); // a node nobody links to still has a rank (0.15)
        for (int t : targets) {
            out.add(new Pair<>(t, share));
        }
        return out;
    }

    /** The out-links of node {@code n}: distinct, not itself, skewed towards low ids. */
    static int[] linksOf(int n, int nodes, int degree, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + n);
        int count = 1;
        double p = 1.0 / degree; // geometric number of extra links, mean degree - 1
        while (count < nodes - 1 && r.nextDouble() > p) {
            count++;
        }
        Set<Integer> targets = new LinkedHashSet<>();
        while (targets.size() < count) {
            double u = r.nextDouble();
            int t = (int) (nodes * u * u * u);
            if (t != n) {
                targets.add(t);
            }
        }
        return targets.stream().mapToInt(Integer::intValue).toArray();
    }
}
