package dev.cairn.spark.streaming;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import org.apache.hadoop.fs.FileAlreadyExistsException;

/**
 * Cairn's storage reports a missing file with {@link NoSuchFileException} and a refused
 * overwrite with {@link java.nio.file.FileAlreadyExistsException}; Spark's streaming code catches
 * {@link FileNotFoundException} and Hadoop's {@link FileAlreadyExistsException}. This turns the
 * one into the other, keeping the original as the cause.
 */
final class HadoopErrors {
    private HadoopErrors() {
    }

    /** {@code e} as Spark expects it: the two exceptions above translated, anything else as it is. */
    static IOException forSpark(IOException e, String verb, URI file) {
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return alreadyExists(file, e);
        }
        if (e instanceof NoSuchFileException) {
            FileNotFoundException missing = new FileNotFoundException("Cannot " + verb + " checkpoint file: " + file
                    + " (expected a file, found none)");
            missing.initCause(e);
            return missing;
        }
        return e;
    }

    /** The refusal of a no-overwrite publish, worded for a streaming query's user. */
    static FileAlreadyExistsException alreadyExists(URI file, Throwable cause) {
        FileAlreadyExistsException e = new FileAlreadyExistsException("Cannot publish checkpoint file: " + file
                + " (expected no file there, found one written by another query or an earlier run of this one; two"
                + " streaming queries must never share a checkpoint location: stop the other query or give this one its own"
                + " checkpointLocation)");
        e.initCause(cause);
        return e;
    }
}
