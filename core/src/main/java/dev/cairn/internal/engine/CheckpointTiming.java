package dev.cairn.internal.engine;

/** When a checkpoint is written (the engine's side of {@code CheckpointMode}). */
public enum CheckpointTiming {
    /** Written through by the next job, committed when it completes. */
    LAZY,
    /** Written now. */
    EAGER,
    /** The next job computes and holds the partitions; they are written, committed and verified in the background. */
    ASYNC
}
