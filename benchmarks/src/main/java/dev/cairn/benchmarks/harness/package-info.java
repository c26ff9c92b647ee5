/**
 * The side-by-side harness: {@link dev.cairn.benchmarks.harness.SideBySide} starts every measured
 * run in a JVM of its own ({@link dev.cairn.benchmarks.harness.CairnRun}, Spark's run, and the
 * {@link dev.cairn.benchmarks.harness.FileChannelRun} disk baseline), alternating between them, and
 * writes medians, ratios, CSV files and charts. A child reports one {@code RESULT} line on stdout.
 */
package dev.cairn.benchmarks.harness;
