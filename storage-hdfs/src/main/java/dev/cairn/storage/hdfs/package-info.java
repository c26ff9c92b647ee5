/**
 * The Hadoop {@code FileSystem} storage backend: {@code hdfs://}, {@code viewfs://},
 * {@code webhdfs://}, {@code s3a://} and any other Hadoop file system whose connector is on the
 * class path, configured from the usual Hadoop files and {@code cairn.hadoop.*} options. On
 * file systems with an atomic rename (HDFS) files are published by writing a hidden temporary
 * file and renaming it without replacing anything; on object stores (s3a) they are written
 * straight to their final name and aborted when not committed. See
 * {@link dev.cairn.storage.hdfs.HadoopStorage} for the exact guarantees and
 * {@link dev.cairn.storage.hdfs.HadoopStorageProvider} for the options.
 */
package dev.cairn.storage.hdfs;
