/**
 * The local execution engine: jobs, shuffles, the block store behind {@code persist}, and the
 * dataset classes that transformations build. Application code uses {@code dev.cairn}; this
 * package is for extending Cairn with new datasets ({@link dev.cairn.exec.TaskContext},
 * {@link dev.cairn.exec.Dependency}), and its other types may change between releases.
 */
package dev.cairn.exec;
