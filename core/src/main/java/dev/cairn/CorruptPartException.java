package dev.cairn;

import java.net.URI;

/** A part file's bytes disagree with the manifest: length, record count or CRC32C, or they cannot be deserialized. */
public class CorruptPartException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /** See {@link CheckpointException#CheckpointException(String, String, URI, String, String, Throwable)}. */
    public CorruptPartException(String verb, String dataset, URI location, String file, String detail, Throwable cause) {
        super(verb, dataset, location, file, detail, cause);
    }
}
