/**
 * JMH benchmarks: record serializers with and without compression
 * ({@link dev.cairn.benchmarks.jmh.SerializerBenchmark}), part-file write and read per storage
 * backend ({@link dev.cairn.benchmarks.jmh.PartFileBenchmark}), and the cost of CRC32C verification
 * ({@link dev.cairn.benchmarks.jmh.VerifyBenchmark}). {@link dev.cairn.benchmarks.jmh.JmhMain} runs
 * them and writes CSV files and charts.
 */
package dev.cairn.benchmarks.jmh;
