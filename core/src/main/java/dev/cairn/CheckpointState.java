package dev.cairn;

/** Where a dataset is in its checkpoint: NONE → MARKED → IN_PROGRESS → CHECKPOINTED. */
public enum CheckpointState {
    /** Not marked for a checkpoint. */
    NONE,
    /** Marked for a lazy checkpoint; nothing written yet. */
    MARKED,
    /** Parts are being written. */
    IN_PROGRESS,
    /** Committed and verified; the lineage is cut. */
    CHECKPOINTED
}
