/**
 * Helpers for iterative algorithms (ALS, PageRank, gradient descent), whose lineage grows by a
 * few datasets every iteration: {@link dev.cairn.ml.PeriodicCheckpointer} persists each new
 * dataset, checkpoints every N-th one and deletes old checkpoints only once a newer one is
 * committed; {@link dev.cairn.ml.ResumableLoop} runs a loop over a state made of datasets,
 * checkpoints it into a run directory with the iteration number in the manifest, and after a
 * crash restarts from the last committed checkpoint there, cleaning up what the dead process
 * left half written. See {@code docs/iterative.md}.
 */
package dev.cairn.ml;
