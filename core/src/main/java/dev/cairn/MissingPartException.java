package dev.cairn;

import java.net.URI;

/** A part file (or the manifest) the checkpoint needs is not there. */
public class MissingPartException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /** See {@link CheckpointException#CheckpointException(String, String, URI, String, String, Throwable)}. */
    public MissingPartException(String verb, String dataset, URI location, String file, String detail, Throwable cause) {
        super(verb, dataset, location, file, detail, cause);
    }
}
