package dev.cairn;

import java.net.URI;

/** The checkpoint holds another number of partitions than the dataset it should stand for. */
public class PartitionCountMismatchException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /** See {@link CheckpointException#CheckpointException(String, String, URI, String, String, Throwable)}. */
    public PartitionCountMismatchException(String verb, String dataset, URI location, String file, String detail, Throwable cause) {
        super(verb, dataset, location, file, detail, cause);
    }
}
