package dev.cairn.examples;

import dev.cairn.CairnContext;
import dev.cairn.Dataset;
import dev.cairn.HashPartitioner;
import dev.cairn.KeyedDataset;
import dev.cairn.Pair;
import dev.cairn.Partitioner;
import dev.cairn.StorageLevel;
import dev.cairn.ml.LoopCheckpoint;
import dev.cairn.ml.ResumableLoop;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Explicit-feedback alternating least squares on a synthetic low-rank ratings matrix, run as a
 * {@link ResumableLoop}: the user and item factors are checkpointed every {@code --interval}
 * iterations into a run directory, and a run killed at any point continues from its last
 * committed checkpoint when started again with the same {@code --run-dir}.
 *
 * <p>The data: every user and item has a hidden factor vector (seeded, rank {@code --rank});
 * each user rates {@code ratings / users} distinct items, a rating being the dot product of
 * the two hidden vectors plus Gaussian noise of standard deviation {@code --noise}. The
 * hidden vectors have entries of variance 1/√rank, so ratings have a spread of about 1 and a
 * perfect fit leaves an RMSE near the noise.
 *
 * <p>One iteration solves the users given the items, then the items given the users. A half
 * step joins the ratings (partitioned by the fixed side's id, persisted) with the fixed
 * factors (partitioned the same way, so the join needs no shuffle), groups the rows by the
 * other side's id ({@code groupByKey}, the one shuffle), and solves each id's regularized
 * normal equations {@code (YᵀY + λ·n·I) x = Yᵀr} with EJML's Cholesky solver (the λ·n weighting
 * of ALS-WR, as Spark MLlib's ALS does).
 *
 * <p>Run: {@code mvn -B -q -pl examples -am -DskipTests package exec:java} (the README's first
 * command), or {@code exec:java -Dexec.args="--run-dir /tmp/als-run --iterations 40"}.
 */
public final class AlternatingLeastSquares {
    static final String USAGE = """
            AlternatingLeastSquares: ALS on a synthetic low-rank ratings matrix, checkpointed and resumable with Cairn.
            All options are optional; the defaults finish in well under a minute on 2 cores.
              --checkpoint-dir <uri|path>  where run directories go (default: <tmp>/cairn-examples); any URI a storage module serves
              --run-dir <uri|path>         run directory to use and keep; start again with the same one to resume after a kill
                                           (default: a fresh one under --checkpoint-dir, deleted at the end)
              --iterations <n>             iterations to run (default 20)
              --interval <n>               checkpoint every n iterations, and after the last (default 10)
              --async                      write checkpoints in the background while the next iterations run
              --option <key=value>         a Cairn option, repeatable (e.g. cairn.s3.endpoint=http://127.0.0.1:9000 for s3://)
              --users <n> --items <n> --ratings <n> --rank <n>   data size and factor rank (default 6000, 1500, 300000, 10)
              --lambda <x> --noise <x>     regularization (default 0.003), noise on the ratings (default 0.1)
              --seed <n> --partitions <n> --parallelism <n>      (default 42, 4, available processors)
            """;

    private AlternatingLeastSquares() {
    }

    /**
     * The example's parameters.
     *
     * @param checkpointDir where a fresh run directory is made when {@code runDir} is {@code null}
     * @param runDir        the run directory to use (and keep), or {@code null} for a fresh one deleted at the end
     * @param iterations    iterations to run
     * @param interval      checkpoint every this many iterations
     * @param users         users
     * @param items         items
     * @param ratings       ratings (spread evenly over users)
     * @param rank          factor rank
     * @param lambda        regularization, multiplied by each row's rating count
     * @param noise         standard deviation of the noise added to ratings
     * @param seed          seeds data and initial factors
     * @param partitions    partitions of every dataset
     * @param parallelism   worker threads
     * @param async         whether checkpoints are written in the background ({@link ResumableLoop.Builder#async(boolean)})
     * @param contextOptions Cairn options for the context ({@code --option key=value}), e.g. an S3 endpoint
     */
    public record Options(String checkpointDir, String runDir, int iterations, int interval, int users, int items, long ratings, int rank,
                          double lambda, double noise, long seed, int partitions, int parallelism, boolean async,
                          Map<String, String> contextOptions) {

        /** Copies the options map. */
        public Options {
            contextOptions = Map.copyOf(contextOptions);
        }

        /**
         * Parses the command line.
         *
         * @return empty when {@code --help} was given (the usage is printed)
         * @throws IllegalArgumentException for unknown or malformed options
         */
        public static Optional<Options> parse(String[] args) {
            ExampleArgs a = new ExampleArgs(USAGE, args);
            if (a.helpRequested()) {
                return Optional.empty();
            }
            Options o = new Options(a.checkpointDir(), a.string("run-dir").orElse(null), a.integer("iterations", 20, 0),
                    a.integer("interval", 10, 1), a.integer("users", 6_000, 1), a.integer("items", 1_500, 1),
                    a.longValue("ratings", 300_000), a.integer("rank", 10, 1), a.decimal("lambda", 0.003), a.decimal("noise", 0.1),
                    a.longValue("seed", 42), a.integer("partitions", 4, 1),
                    a.integer("parallelism", Runtime.getRuntime().availableProcessors(), 1), a.flag("async"), a.contextOptions());
            a.rejectUnknown();
            if (o.ratings < o.users || o.ratings / o.users > o.items) {
                throw new IllegalArgumentException("Cannot use --ratings " + o.ratings + " (expected between --users " + o.users
                        + " and users × items " + (long) o.users * o.items + ")");
            }
            return Optional.of(o);
        }

        /**
         * The parameters the result depends on, kept in every checkpoint and checked on resume.
         * Not {@code async}: a run may be resumed in the other mode, with the same result.
         */
        Map<String, String> metadata() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("seed", Long.toString(seed));
            m.put("users", Integer.toString(users));
            m.put("items", Integer.toString(items));
            m.put("ratings", Long.toString(ratings));
            m.put("rank", Integer.toString(rank));
            m.put("lambda", Double.toString(lambda));
            m.put("noise", Double.toString(noise));
            m.put("partitions", Integer.toString(partitions));
            return m;
        }
    }

    /**
     * What a run produced.
     *
     * @param resumedFrom   the iteration resumed from, 0 for a fresh start
     * @param iterations    the last iteration
     * @param rmse          training RMSE after the last iteration
     * @param rmseByIteration RMSE after each iteration this process ran, by iteration
     * @param factorsSha256 SHA-256 of all factors (ids and the bits of every double, in id order)
     * @param runDirectory  the run directory
     */
    public record Result(int resumedFrom, int iterations, double rmse, Map<Integer, Double> rmseByIteration, String factorsSha256,
                         URI runDirectory) {
    }

    /** Test seams: what a crash test needs to stop the run at a chosen point. */
    interface Hooks {
        Hooks NONE = new Hooks() {
        };

        /** Adjusts the context before it is built (e.g. adds a checkpoint listener). */
        default void configure(CairnContext.Builder builder) {
        }

        /** Called as iteration {@code i} starts building its datasets. */
        default void stepStarted(int iteration) {
        }

        /** Called once iteration {@code i} is done, checkpointed where due, and its RMSE printed. */
        default void iterationDone(int iteration) {
        }
    }

    /** A user's rating of an item. */
    public record Rating(int user, int item, double value) implements Serializable {
    }

    /** The state of the loop: one factor vector per user and per item. */
    record Factors(KeyedDataset<Integer, double[]> users, KeyedDataset<Integer, double[]> items) {
    }

    private static final ResumableLoop.StateCodec<Factors> CODEC = new ResumableLoop.StateCodec<>() {
        @Override
        public Map<String, Dataset<?>> datasets(Factors state) {
            Map<String, Dataset<?>> m = new LinkedHashMap<>();
            m.put("users", state.users()); // first: the items of an iteration are computed from its users
            m.put("items", state.items());
            return m;
        }

        @Override
        public Factors restore(LoopCheckpoint checkpoint) {
            return new Factors(checkpoint.keyedDataset("users"), checkpoint.keyedDataset("items"));
        }
    };

    /** Runs with the command line's options; no options needed. */
    public static void main(String[] args) {
        Optional<Options> options = Options.parse(args);
        if (options.isPresent()) {
            run(options.get(), Hooks.NONE);
        }
    }

    /** Runs the example with {@code o}, printing its progress. */
    public static Result run(Options o) {
        return run(o, Hooks.NONE);
    }

    static Result run(Options o, Hooks hooks) {
        boolean fresh = o.runDir() == null;
        URI runDir = fresh ? freshRunDirectory(o.checkpointDir()) : ExampleArgs.toUri(o.runDir());
        CairnContext.Builder builder = CairnContext.builder().appName("als").parallelism(o.parallelism()).options(o.contextOptions())
                .checkpointDir(runDir);
        hooks.configure(builder);
        long start = System.nanoTime();
        try (CairnContext ctx = builder.build()) {
            System.out.printf("ALS: %,d users × %,d items, %,d ratings, rank %d, λ %s, noise %s, seed %d; %d iterations, checkpoint every %d%s%n",
                    o.users(), o.items(), o.ratings(), o.rank(), o.lambda(), o.noise(), o.seed(), o.iterations(), o.interval(),
                    o.async() ? " in the background" : "");
            // The context id names the directory this process writes in: what a crash test tells apart from earlier runs' files.
            System.out.println("Run directory: " + runDir + " (this process writes under " + ctx.contextId() + "/)");

            Partitioner userPart = new HashPartitioner(o.partitions());
            Partitioner itemPart = new HashPartitioner(o.partitions());
            Dataset<Rating> ratings = ctx.range(0, o.users(), o.partitions()).flatMap(u -> ratingsOf(u.intValue(), o));
            KeyedDataset<Integer, Rating> byUser = ratings.keyBy(Rating::user).partitionBy(userPart).setName("ratings by user")
                    .persist(StorageLevel.MEMORY);
            KeyedDataset<Integer, Rating> byItem = byUser.values().keyBy(Rating::item).partitionBy(itemPart).setName("ratings by item")
                    .persist(StorageLevel.MEMORY);
            long count = byItem.count();
            System.out.printf("Generated %,d ratings in %.1f s%n", count, (System.nanoTime() - start) / 1e9);

            Map<Integer, Double> rmseByIteration = new LinkedHashMap<>();
            ResumableLoop<Factors> loop = ResumableLoop.builder(ctx, CODEC)
                    .runDirectory(runDir)
                    .checkpointInterval(o.interval())
                    .maxIterations(o.iterations())
                    .metadata(o.metadata())
                    .async(o.async())
                    .listener(new ResumableLoop.IterationListener<>() {
                        private IterationProgress progress;
                        private String line;

                        @Override
                        public void started(int first, int max, Optional<LoopCheckpoint> from) {
                            if (from.isPresent()) {
                                System.out.println("Resumed from iteration " + from.get().iteration() + ", checkpointed at "
                                        + from.get().createdAt() + " by context " + from.get().contextId() + ": " + names(from.get()));
                            } else {
                                System.out.println("Starting from iteration 0 (no checkpoint in the run directory)");
                            }
                            progress = new IterationProgress("ALS", first - 1, max, System.out);
                        }

                        @Override
                        public void iterationDone(int iteration, Factors state, Optional<LoopCheckpoint> checkpoint) {
                            double rmse = rmse(byUser, state, count);
                            rmseByIteration.put(iteration, rmse);
                            line = String.format("RMSE %.6f", rmse);
                            if (!o.async()) {
                                printed(iteration);
                                checkpoint.ifPresent(c -> printCommitted(c));
                            }
                        }

                        @Override
                        public void uploadsInFlight(int iteration, int uploads) {
                            // Async only, right after iterationDone: the line of the iteration with the uploads still running.
                            line += ", uploads in flight " + uploads;
                            printed(iteration);
                        }

                        private void printed(int iteration) {
                            progress.iterationDone(iteration, line);
                            if (iteration == o.iterations()) {
                                progress.close();
                            }
                            hooks.iterationDone(iteration);
                        }

                        @Override
                        public void checkpointCommitted(LoopCheckpoint c) {
                            // Synchronous checkpoints are reported after their iteration's line, by iterationDone.
                            if (o.async()) {
                                printCommitted(c);
                            }
                        }

                        private void printCommitted(LoopCheckpoint c) {
                            System.out.println("    checkpoint of iteration " + c.iteration() + " committed: " + names(c));
                        }
                    })
                    .build();

            ResumableLoop.Result<Factors> result = loop.run(() -> initialFactors(ctx, o, userPart, itemPart), (iteration, f) -> {
                hooks.stepStarted(iteration);
                KeyedDataset<Integer, double[]> users = halfStep(byItem, f.items(), true, userPart, o);
                KeyedDataset<Integer, double[]> items = halfStep(byUser, users, false, itemPart, o);
                return new Factors(users.setName("users@" + iteration), items.setName("items@" + iteration));
            });

            double rmse = rmseByIteration.isEmpty() ? rmse(byUser, result.state(), count) : rmseByIteration.get(result.iteration());
            String digest = digest(result.state());
            System.out.printf("Final: iteration %d, RMSE %.12f (noise %.3f), factors sha256 %s%n", result.iteration(), rmse, o.noise(), digest);
            if (fresh) {
                deleteQuietly(ctx, runDir);
                System.out.println("Deleted the run directory (pass --run-dir to keep one and resume it after a kill)");
            } else {
                System.out.println("Kept the run directory: start again with --run-dir " + o.runDir()
                        + " to resume or extend (--iterations), or delete it to start over");
            }
            System.out.printf("Done in %.1f s%n", (System.nanoTime() - start) / 1e9);
            return new Result(result.resumedFrom(), result.iteration(), rmse, rmseByIteration, digest, runDir);
        }
    }

    private static String names(LoopCheckpoint c) {
        List<String> out = new ArrayList<>();
        c.locations().forEach((name, uri) -> {
            String path = uri.getPath();
            out.add(name + " → " + path.substring(path.lastIndexOf('/') + 1));
        });
        return String.join(", ", out);
    }

    private static URI freshRunDirectory(String checkpointDir) {
        String base = ExampleArgs.toUri(checkpointDir).toString();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        String suffix = Integer.toHexString(new SplittableRandom().nextInt(0x10000));
        return URI.create((base.endsWith("/") ? base : base + "/") + "als-" + stamp + "-" + suffix);
    }

    private static void deleteQuietly(CairnContext ctx, URI dir) {
        ctx.deleteCheckpoint(dir);
    }

    // ---------------------------------------------------------------- the data

    private static final int USER_STREAM = 1;
    private static final int ITEM_STREAM = 2;
    private static final int RATING_STREAM = 3;
    private static final int INIT_USER_STREAM = 4;
    private static final int INIT_ITEM_STREAM = 5;

    /** A generator for one (stream, id): the same numbers whatever partition or process asks. */
    private static SplittableRandom random(long seed, int stream, long id) {
        long h = seed * 0x9E3779B97F4A7C15L + stream * 0xC2B2AE3D27D4EB4FL + id * 0x165667B19E3779F9L;
        return new SplittableRandom(h);
    }

    /** A hidden (true) factor vector: entries of variance 1/√rank, so a dot product has variance about 1. */
    private static double[] hidden(long seed, int stream, int id, int rank) {
        SplittableRandom r = random(seed, stream, id);
        double scale = Math.pow(rank, -0.25);
        double[] v = new double[rank];
        for (int k = 0; k < rank; k++) {
            v[k] = r.nextGaussian() * scale;
        }
        return v;
    }

    /** The ratings of one user: distinct items, each the hidden dot product plus noise. */
    static List<Rating> ratingsOf(int user, Options o) {
        long per = o.ratings() / o.users();
        int n = (int) (per + (user < o.ratings() % o.users() ? 1 : 0));
        SplittableRandom r = random(o.seed(), RATING_STREAM, user);
        double[] u = hidden(o.seed(), USER_STREAM, user, o.rank());
        Set<Integer> chosen = new HashSet<>();
        List<Rating> out = new ArrayList<>(n);
        while (out.size() < n) {
            int item = r.nextInt(o.items());
            if (chosen.add(item)) {
                double value = dot(u, hidden(o.seed(), ITEM_STREAM, item, o.rank())) + o.noise() * r.nextGaussian();
                out.add(new Rating(user, item, value));
            }
        }
        return out;
    }

    private static Factors initialFactors(CairnContext ctx, Options o, Partitioner userPart, Partitioner itemPart) {
        return new Factors(randomFactors(ctx, o, o.users(), INIT_USER_STREAM, userPart), randomFactors(ctx, o, o.items(), INIT_ITEM_STREAM, itemPart));
    }

    private static KeyedDataset<Integer, double[]> randomFactors(CairnContext ctx, Options o, int n, int stream, Partitioner part) {
        long seed = o.seed();
        int rank = o.rank();
        return ctx.range(0, n, o.partitions()).keyBy(Long::intValue).partitionBy(part)
                .mapValues(id -> {
                    SplittableRandom r = random(seed, stream, id);
                    double[] v = new double[rank];
                    for (int k = 0; k < rank; k++) {
                        v[k] = r.nextGaussian() / Math.sqrt(rank);
                    }
                    return v;
                });
    }

    // ---------------------------------------------------------------- the algorithm

    /**
     * Solves one side given the other: for every id of the solved side, the least-squares
     * factor against the fixed side's factors of the items (or users) it has ratings with.
     *
     * @param ratingsByFixed ratings partitioned by the fixed side's id (like {@code fixed})
     * @param fixed          the fixed side's factors
     * @param solveUsers     whether the solved side is the users
     * @param target         how the result is partitioned
     */
    static KeyedDataset<Integer, double[]> halfStep(KeyedDataset<Integer, Rating> ratingsByFixed, KeyedDataset<Integer, double[]> fixed,
                                                     boolean solveUsers, Partitioner target, Options o) {
        int rank = o.rank();
        double lambda = o.lambda();
        return ratingsByFixed.join(fixed)                                   // (fixed id, (rating, fixed factor)), no shuffle
                .values()
                .keyBy(p -> solveUsers ? p.key().user() : p.key().item())   // (solved id, (rating, fixed factor))
                .groupByKey(target)                                         // the shuffle
                .mapValues(rows -> solve(rows, rank, lambda));
    }

    /** Solves {@code (YᵀY + λ·n·I) x = Yᵀr} for one id, Y holding the fixed factors of its n ratings. */
    static double[] solve(List<Pair<Rating, double[]>> rows, int rank, double lambda) {
        int n = rows.size();
        DMatrixRMaj y = new DMatrixRMaj(n, rank);
        DMatrixRMaj r = new DMatrixRMaj(n, 1);
        for (int i = 0; i < n; i++) {
            Pair<Rating, double[]> row = rows.get(i);
            System.arraycopy(row.value(), 0, y.data, i * rank, rank);
            r.data[i] = row.key().value();
        }
        DMatrixRMaj a = new DMatrixRMaj(rank, rank);
        CommonOps_DDRM.multInner(y, a);
        for (int k = 0; k < rank; k++) {
            a.add(k, k, lambda * n);
        }
        DMatrixRMaj b = new DMatrixRMaj(rank, 1);
        CommonOps_DDRM.multTransA(y, r, b);
        LinearSolverDense<DMatrixRMaj> cholesky = LinearSolverFactory_DDRM.symmPosDef(rank);
        if (!cholesky.setA(a)) {
            throw new IllegalStateException("Cannot solve normal equations of " + n + " ratings (expected a positive definite matrix, "
                    + "found a singular one; raise --lambda)");
        }
        DMatrixRMaj x = new DMatrixRMaj(rank, 1);
        cholesky.solve(b, x);
        return x.data;
    }

    /**
     * Training RMSE of the factors over all ratings. The item factors are few (items × rank
     * doubles), so they are collected and looked up in a map, instead of shuffling every
     * rating to its item's partition: a broadcast join.
     */
    static double rmse(KeyedDataset<Integer, Rating> byUser, Factors f, long count) {
        Map<Integer, double[]> items = new HashMap<>();
        for (Pair<Integer, double[]> p : f.items().collect()) {
            items.put(p.key(), p.value());
        }
        double sse = byUser.join(f.users())                    // (user, (rating, user factor)), no shuffle
                .values()
                .map(p -> {
                    Rating r = p.key();
                    double e = r.value() - dot(p.value(), items.get(r.item()));
                    return e * e;
                })
                .reduce(Double::sum);
        return Math.sqrt(sse / count);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    /** SHA-256 over both factor sets in id order: equal digests mean bit-identical factors. */
    static String digest(Factors f) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (KeyedDataset<Integer, double[]> side : List.of(f.users(), f.items())) {
                List<Pair<Integer, double[]>> all = new ArrayList<>(side.collect());
                all.sort(Comparator.comparing(Pair::key));
                for (Pair<Integer, double[]> p : all) {
                    ByteBuffer buf = ByteBuffer.allocate(4 + 8 * p.value().length);
                    buf.putInt(p.key());
                    for (double d : p.value()) {
                        buf.putLong(Double.doubleToRawLongBits(d));
                    }
                    sha.update(buf.array());
                }
                sha.update((byte) '|');
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
