/**
 * How cairn-spark runs inside Spark: the per-JVM storage registries, the RDD that reads a
 * checkpoint's parts on executors, and the translation of Spark's configuration into Cairn's
 * options. Not API: anything here may change between releases.
 */
package dev.cairn.spark.internal;
