package dev.cairn;

import java.net.URI;

/**
 * A checkpoint could not be written, committed, found, read or verified. The message names the
 * dataset, the checkpoint location and the file, and says what was expected and what was found;
 * the same facts are available from the getters.
 */
public class CheckpointException extends CairnException {
    private static final long serialVersionUID = 1L;
    private final String dataset;
    private final URI location;
    private final String file;

    /**
     * @param verb     what failed, e.g. {@code read}, {@code commit}
     * @param dataset  the dataset as shown in messages ({@code MapPartitionsDataset[3]}), or what the manifest names
     * @param location the checkpoint directory
     * @param file     the file within it, or {@code null} when the directory as a whole is at fault
     * @param detail   {@code expected …, found …; hint}
     * @param cause    the underlying failure, or {@code null}
     */
    public CheckpointException(String verb, String dataset, URI location, String file, String detail, Throwable cause) {
        super("Cannot " + verb + " checkpoint of dataset " + dataset + ": " + location + (file == null ? "" : "/" + file)
                + " (" + detail + ")", cause);
        this.dataset = dataset;
        this.location = location;
        this.file = file;
    }

    /** The dataset, as shown in messages. */
    public String dataset() {
        return dataset;
    }

    /** The checkpoint directory. */
    public URI location() {
        return location;
    }

    /** The file at fault, or {@code null} when the directory as a whole is. */
    public String file() {
        return file;
    }
}
