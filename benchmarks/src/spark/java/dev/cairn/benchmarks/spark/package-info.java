/**
 * Spark's side of the side-by-side harness. Compiled only in the {@code spark} Maven profile,
 * which is the only place Spark is a dependency, and run on Spark's own class path (without
 * Cairn and its Kryo 5).
 */
package dev.cairn.benchmarks.spark;
