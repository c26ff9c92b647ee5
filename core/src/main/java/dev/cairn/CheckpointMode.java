package dev.cairn;

/** When a checkpoint is written. */
public enum CheckpointMode {
    /**
     * Mark now; write while the next action over the dataset computes it (write-through, so the
     * dataset is computed once) and commit when that action completes.
     */
    LAZY,
    /** Compute and write now, before the checkpoint call returns. */
    EAGER,
    /**
     * Mark now; the next action over the dataset computes it once and holds its partitions in
     * this process's block store (memory, spilling to disk), and returns without waiting for
     * storage: the parts are written, committed and verified in the background, and the lineage
     * is cut once the commit is verified. Until then the dataset works from its blocks. Wait with
     * {@link Dataset#awaitCheckpoint()}; a background failure is logged and sent to listeners at
     * once, and thrown once, by the next wait or the next action over the dataset, whichever
     * comes first (the action after that tries the checkpoint again). Background checkpoints of a
     * context commit in the order they started. Reliable checkpoints only.
     */
    ASYNC
}
