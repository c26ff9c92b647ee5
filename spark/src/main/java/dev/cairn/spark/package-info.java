/**
 * Checkpointing Spark RDDs and DataFrames through Cairn's engine-neutral checkpoint format.
 */
package dev.cairn.spark;
