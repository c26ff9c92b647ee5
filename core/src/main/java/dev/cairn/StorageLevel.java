package dev.cairn;

/** Where {@link Dataset#persist(StorageLevel)} keeps computed partitions in this process. */
public enum StorageLevel {
    /** Records as objects on the heap: fastest to reuse, lost if the heap runs short only by an error. */
    MEMORY,
    /**
     * On the heap while the heap has room, otherwise serialized to a local spill directory.
     * The choice is made per partition when it is stored, from the heap in use at that time.
     */
    MEMORY_AND_DISK,
    /** Serialized with the context's serializer into the local spill directory; read back as a stream. */
    DISK
}
