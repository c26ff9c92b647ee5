package dev.cairn.internal.engine;

import dev.cairn.checkpoint.CheckpointListener;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointStats;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A context's listeners as one: a listener that throws is logged and does not stop the others or the checkpoint. */
final class CheckpointListeners implements CheckpointListener {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointListeners.class);
    private final List<CheckpointListener> listeners = new CopyOnWriteArrayList<>();

    void add(CheckpointListener listener) {
        listeners.add(listener);
    }

    private void each(Consumer<CheckpointListener> call) {
        for (CheckpointListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("Checkpoint listener {} failed", l, e);
            }
        }
    }

    @Override
    public void started(String dataset, URI location) {
        each(l -> l.started(dataset, location));
    }

    @Override
    public void partWritten(String dataset, URI location, CheckpointManifest.Part part) {
        each(l -> l.partWritten(dataset, location, part));
    }

    @Override
    public void committed(String dataset, URI location, CheckpointManifest manifest) {
        each(l -> l.committed(dataset, location, manifest));
    }

    @Override
    public void verified(String dataset, URI location, CheckpointStats stats) {
        each(l -> l.verified(dataset, location, stats));
    }

    @Override
    public void failed(String dataset, URI location, Throwable cause) {
        each(l -> l.failed(dataset, location, cause));
    }
}
