package dev.cairn.examples;

import dev.cairn.CairnContext;
import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ALS example with one extra option for the crash test, {@code --pause-at <where>:<iteration>}:
 * {@code iteration:N} stops after iteration N is done, {@code part:N} once the first part file
 * of iteration N's checkpoint is published (so parts exist and no manifest), {@code commit:N}
 * once the first dataset of iteration N is committed (so the iteration is half committed).
 * It prints {@code PAUSED <what>} and blocks until the test kills the JVM.
 */
public final class CrashableAls {
    private CrashableAls() {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>();
        String kind = null;
        int at = -1;
        for (int i = 0; i < args.length; i++) {
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
        AtomicInteger iteration = new AtomicInteger();
        AlternatingLeastSquares.Hooks hooks = new AlternatingLeastSquares.Hooks() {
            @Override
            public void configure(CairnContext.Builder builder) {
                builder.checkpointListener(new CheckpointListener() {
                    @Override
                    public void partWritten(String dataset, URI location, CheckpointManifest.Part part) {
                        if ("part".equals(pauseKind) && iteration.get() == pauseAt) {
                            pause("part " + location + "/" + part.name());
                        }
                    }

                    @Override
                    public void committed(String dataset, URI location, CheckpointManifest manifest) {
                        if ("commit".equals(pauseKind) && iteration.get() == pauseAt) {
                            pause("commit " + location);
                        }
                    }
                });
            }

            @Override
            public void stepStarted(int i) {
                iteration.set(i);
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
