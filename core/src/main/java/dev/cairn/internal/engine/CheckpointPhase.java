package dev.cairn.internal.engine;

/** Where a node is in its checkpoint (the engine's side of {@code CheckpointState}). */
public enum CheckpointPhase {
    /** No checkpoint requested. */
    NONE,
    /** Marked; written by the next job. */
    MARKED,
    /** Being written. */
    IN_PROGRESS,
    /** Committed, verified, lineage cut. */
    CHECKPOINTED
}
