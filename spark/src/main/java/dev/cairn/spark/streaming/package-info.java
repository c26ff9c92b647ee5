/**
 * Spark Structured Streaming checkpoints on Cairn's storage: {@link
 * dev.cairn.spark.streaming.CairnCheckpointFileManager}, selected with
 * {@code spark.sql.streaming.checkpointFileManagerClass}, writes a query's offsets, commits and
 * state files to {@code s3://}, {@code file://} (shared volumes) or {@code hdfs://}, each
 * published whole or not at all, never over an existing one where Spark forbids it, and lists
 * them completely on stores whose listings lag.
 */
package dev.cairn.spark.streaming;
