package dev.cairn.checkpoint;

import java.net.URI;

/**
 * Hears what checkpoints do. Register with {@code CairnContext.Builder.checkpointListener} or
 * {@code CairnContext.addCheckpointListener}. Methods are called on worker threads
 * ({@link #partWritten}) or on the thread running the action (the others); they must be quick
 * and thread-safe, and an exception they throw is logged and otherwise ignored.
 */
public interface CheckpointListener {

    /** A reliable checkpoint started writing (local checkpoints report only {@link #verified}). */
    default void started(String dataset, URI location) {
    }

    /** One part file was published. */
    default void partWritten(String dataset, URI location, CheckpointManifest.Part part) {
    }

    /** The manifest was written: the checkpoint is committed. */
    default void committed(String dataset, URI location, CheckpointManifest manifest) {
    }

    /** The checkpoint was reloaded and verified, and the dataset's lineage cut. */
    default void verified(String dataset, URI location, CheckpointStats stats) {
    }

    /** The checkpoint failed; for a failure before the commit, its parts were removed. */
    default void failed(String dataset, URI location, Throwable cause) {
    }
}
