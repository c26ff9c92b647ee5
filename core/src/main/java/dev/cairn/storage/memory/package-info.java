/**
 * The {@code memory://} storage backend: files held as byte chunks on the Java heap, shared by
 * every context of the JVM under the same name ({@code memory://<name>/<path>}), so a second
 * context can read back what a first one checkpointed. Meant for tests, examples and short
 * single-JVM jobs; nothing survives the JVM, and nothing is ever freed unless
 * {@link dev.cairn.storage.memory.MemoryStorage#clear(String)} or a {@code delete} says so.
 */
package dev.cairn.storage.memory;
