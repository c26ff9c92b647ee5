/**
 * Fault-injecting storage for tests in any module:
 * {@link dev.cairn.storage.tck.faults.FaultInjectingStorage} wraps a working
 * {@link dev.cairn.storage.Storage} and, on request, fails the n-th create, write or commit,
 * corrupts or truncates reads, and makes listings lag commits, while counting every call. It
 * lets checkpoint tests prove that a failed write publishes nothing, that corruption is caught
 * on reload and that the reload waits for a lagging listing, without a flaky real store.
 */
package dev.cairn.storage.tck.faults;
