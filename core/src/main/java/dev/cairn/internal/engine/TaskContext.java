package dev.cairn.internal.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What one running task knows of itself: which partition it computes, and the callbacks to run
 * when it ends. Datasets that hold resources while their iterator is open (files, part writers)
 * register a completion listener so the resources are released whether the task consumed the
 * iterator to its end, stopped early (as {@code take} does), or failed.
 *
 * <p>Belongs to the one thread running the task; not thread-safe.
 */
public final class TaskContext {
    private final Engine engine;
    private final int partition;
    private final java.util.function.BooleanSupplier stopped;
    private final List<Consumer<Throwable>> listeners = new ArrayList<>();
    private boolean completed;

    TaskContext(Engine engine, int partition, java.util.function.BooleanSupplier stopped) {
        this.engine = engine;
        this.partition = partition;
        this.stopped = stopped;
    }

    /**
     * Whether the job this task belongs to has failed and is stopping its tasks. Cairn does not
     * interrupt task threads (an interrupt can cut an I/O library's request short after the store
     * has already acted on it); long-running datasets and writers check this instead and give up.
     */
    public boolean isStopped() {
        return stopped.getAsBoolean();
    }

    /** The partition index this task computes. */
    public int partition() {
        return partition;
    }

    /** The engine running the task. */
    public Engine engine() {
        return engine;
    }

    /**
     * Runs {@code listener} when the task ends: with {@code null} if it succeeded, with the
     * failure otherwise. Listeners run in reverse order of registration, like nested
     * try-with-resources blocks.
     */
    public void onCompletion(Consumer<Throwable> listener) {
        if (completed) {
            throw new IllegalStateException("task for partition " + partition + " has already completed");
        }
        listeners.add(listener);
    }

    /** Runs the listeners; failures of listeners are attached to the first one thrown. */
    void complete(Throwable failure) {
        completed = true;
        RuntimeException first = null;
        for (int i = listeners.size() - 1; i >= 0; i--) {
            try {
                listeners.get(i).accept(failure);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        listeners.clear();
        if (first != null) {
            throw first;
        }
    }
}
