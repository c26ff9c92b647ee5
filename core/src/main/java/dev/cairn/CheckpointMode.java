package dev.cairn;

/** When a checkpoint is written. */
public enum CheckpointMode {
    /**
     * Mark now; write while the next action over the dataset computes it (write-through, so the
     * dataset is computed once) and commit when that action completes.
     */
    LAZY,
    /** Compute and write now, before the checkpoint call returns. */
    EAGER
}
