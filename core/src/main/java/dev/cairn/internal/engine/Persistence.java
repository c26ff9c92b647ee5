package dev.cairn.internal.engine;

/** Where the block store keeps a persisted node's partitions (the engine's side of {@code StorageLevel}). */
public enum Persistence {
    /** Objects on the heap. */
    MEMORY,
    /** On the heap, moved to disk when the heap fills up. */
    MEMORY_AND_DISK,
    /** Serialized into the spill directory. */
    DISK
}
