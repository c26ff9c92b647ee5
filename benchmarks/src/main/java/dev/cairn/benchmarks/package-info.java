/**
 * Benchmarks of Cairn: JMH micro-benchmarks ({@code jmh}), the side-by-side harness against
 * Apache Spark with the disk-limit and scaling runs ({@code harness}), and the charts they draw
 * ({@code charts}). Nothing here is part of the library; see {@code docs/benchmarks.md}.
 */
package dev.cairn.benchmarks;
