package dev.cairn.examples;

import dev.cairn.CairnContext;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ALS example with one extra option for the crash test, {@code --pause-at <where>:<iteration>}:
 * {@code iteration:N} stops after iteration N is done, {@code part:N} once the first part file
 * of iteration N's checkpoint is published (so parts exist and no manifest), {@code commit:N}
 * once the first dataset of iteration N is committed (so the iteration is half committed).
 * It prints {@code PAUSED <what>} and blocks until the test kills the JVM.
 *
 * <p>The iteration of a part or a commit is read from the dataset's name ({@code users@9}), not
 * from the loop's position: with {@code --async} a checkpoint is written while later iterations
 * run. A pause in a background upload blocks that upload alone; the loop goes on until it waits
 * for the upload (the next checkpoint iteration, or the end).
 *
 * <p>With {@code --async}, {@code part:N} pauses the upload of {@code users@N} as it starts
 * (a pause in {@code partWritten} would hold one upload thread only, and the others would go on
 * to commit): the upload of {@code items@N}, running beside it, publishes its parts and then
 * waits for its turn to commit behind {@code users@N}, which never comes. The test waits for
 * those parts to appear.
 */
public final class CrashableAls {
    /** The iteration in the label of a dataset of the loop's state: {@code KeyedMapPartitionsDataset[68] 'users@4'}. */
    private static final Pattern ITERATION = Pattern.compile("'(?:users|items)@(\\d+)'");

    private CrashableAls() {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>();
        String kind = null;
        int at = -1;
        boolean async = false;
        for (int i = 0; i < args.length; i++) {
            async |= args[i].equals("--async");
            if (args[i].equals("--pause-at")) {
                String[] p = args[++i].split(":");
                kind = p[0];
                at = Integer.parseInt(p[1]);
            } else {
                rest.add(args[i]);
            }
        }
        String pauseKind = kind;
        int pauseAt = at;
        boolean background = async;
        AlternatingLeastSquares.Hooks hooks = new AlternatingLeastSquares.Hooks() {
            @Override
            public void configure(CairnContext.Builder builder) {
                builder.checkpointListener(new CheckpointListener() {
                    @Override
                    public void started(String dataset, URI location) {
                        if (background && "part".equals(pauseKind) && iterationOf(dataset) == pauseAt && dataset.contains("'users@")) {
                            pause("part (upload of " + dataset + " held at its start) " + location);
                        }
                    }

                    @Override
                    public void partWritten(String dataset, URI location, CheckpointManifest.Part part) {
                        if (!background && "part".equals(pauseKind) && iterationOf(dataset) == pauseAt) {
                            pause("part " + location + "/" + part.name());
                        }
                    }

                    @Override
                    public void committed(String dataset, URI location, CheckpointManifest manifest) {
                        if ("commit".equals(pauseKind) && iterationOf(dataset) == pauseAt) {
                            pause("commit " + location);
                        }
                    }
                });
            }

            @Override
            public void iterationDone(int i) {
                if ("iteration".equals(pauseKind) && i == pauseAt) {
                    pause("iteration " + i);
                }
            }
        };
        AlternatingLeastSquares.run(AlternatingLeastSquares.Options.parse(rest.toArray(String[]::new)).orElseThrow(), hooks);
    }

    private static int iterationOf(String dataset) {
        Matcher m = ITERATION.matcher(dataset);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static void pause(String what) {
        synchronized (CrashableAls.class) {
            System.out.println("PAUSED " + what);
            System.out.flush();
        }
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE); // blocked here until SIGKILL
            } catch (InterruptedException e) {
                // keep blocking: only the kill may end this process
            }
        }
    }
}
