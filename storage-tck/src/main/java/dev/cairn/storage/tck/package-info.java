/**
 * The storage TCK: {@link dev.cairn.storage.tck.StorageContractTest}, one abstract JUnit 5
 * suite that every {@link dev.cairn.storage.Storage} backend runs by subclassing it in its own
 * tests, so that local disk, memory, HDFS, S3 and third-party backends are held to the same
 * written contract. Published as its own artifact (with JUnit as a compile dependency) for that
 * reason. Fault-injecting decorators for other tests live in
 * {@link dev.cairn.storage.tck.faults}.
 */
package dev.cairn.storage.tck;
