package dev.cairn;

import java.net.URI;

/** The manifest was written in a format this version cannot read (a newer format version, or a serializer or compression not available here). */
public class IncompatibleCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /** See {@link CheckpointException#CheckpointException(String, String, URI, String, String, Throwable)}. */
    public IncompatibleCheckpointException(String verb, String dataset, URI location, String file, String detail, Throwable cause) {
        super(verb, dataset, location, file, detail, cause);
    }
}
