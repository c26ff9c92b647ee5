/**
 * Test harness for cairn-spark: a {@code local[2]} Spark per test class, a real standalone
 * cluster (Master, Workers and executor JVMs started by the test), and helpers to watch and kill
 * those JVMs.
 */
package dev.cairn.spark.testkit;
