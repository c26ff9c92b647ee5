package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.cairn.CheckpointException;
import dev.cairn.CheckpointIOException;
import dev.cairn.CorruptPartException;
import dev.cairn.IncompatibleCheckpointException;
import dev.cairn.ListingTimeoutException;
import dev.cairn.MissingPartException;
import dev.cairn.PartitionCountMismatchException;
import dev.cairn.checkpoint.CheckpointManifest;
import java.io.IOException;
import java.net.URI;

/**
 * One problem as the command line reports it: a kind a script can switch on, the location and
 * file, what was expected and what was found, and the whole message in the project's form
 * ("Cannot verify checkpoint of dataset …: &lt;location&gt;/&lt;file&gt; (expected …, found …; hint)").
 *
 * @param kind     {@code missing}, {@code extra}, {@code truncated}, {@code corrupt}, {@code count},
 *                 {@code uncommitted}, {@code newer-format}, {@code incompatible}, {@code io-error} or {@code error}
 * @param location the checkpoint directory, or {@code null}
 * @param file     the file within it, or {@code null} when the directory as a whole is at fault
 * @param expected what was expected, or {@code null} when the message does not say
 * @param found    what was found
 * @param message  the full message
 */
record Failure(String kind, URI location, String file, String expected, String found, String message) {
    static final String MISSING = "missing";
    static final String EXTRA = "extra";
    static final String TRUNCATED = "truncated";
    static final String CORRUPT = "corrupt";
    static final String COUNT = "count";
    static final String UNCOMMITTED = "uncommitted";
    static final String NEWER_FORMAT = "newer-format";
    static final String INCOMPATIBLE = "incompatible";
    static final String IO_ERROR = "io-error";
    static final String ERROR = "error";

    /** The failure {@code e} describes, its kind taken from its type. */
    static Failure of(Throwable e) {
        return of(kindOf(e), e);
    }

    /** The failure {@code e} describes, as {@code kind}. */
    static Failure of(String kind, Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        if (!(e instanceof CheckpointException ce)) {
            return new Failure(kind, null, null, null, null, message);
        }
        String detail = detail(ce);
        String expected = null;
        String found = detail;
        int ex = detail.indexOf("expected ");
        int fo = ex < 0 ? -1 : detail.indexOf(", found ", ex);
        if (fo > 0) {
            expected = detail.substring(ex + "expected ".length(), fo);
            String rest = detail.substring(fo + ", found ".length());
            int hint = rest.indexOf("; ");
            found = hint < 0 ? rest : rest.substring(0, hint);
        }
        return new Failure(kind, ce.location(), ce.file(), expected, found, message);
    }

    /** The kind of problem an exception of core's hierarchy stands for. */
    static String kindOf(Throwable e) {
        if (e instanceof CheckpointIOException) {
            return IO_ERROR; // the store failed: the data may be intact, never "corrupt"
        }
        if (e instanceof IncompatibleCheckpointException) {
            return e.getCause() instanceof CheckpointManifest.FormatException fe && fe.newerVersion() ? NEWER_FORMAT : INCOMPATIBLE;
        }
        if (e instanceof MissingPartException || e instanceof ListingTimeoutException) {
            return MISSING;
        }
        if (e instanceof CorruptPartException) {
            return CORRUPT;
        }
        if (e instanceof PartitionCountMismatchException) {
            return COUNT;
        }
        return ERROR;
    }

    /**
     * The parenthesised part of a checkpoint message: "expected …, found …; hint". Core builds
     * every message as {@code Cannot <verb> checkpoint of dataset <d>: <location>[/<file>] (<detail>)}.
     */
    static String detail(CheckpointException e) {
        String message = e.getMessage();
        String at = ": " + e.location() + (e.file() == null ? "" : "/" + e.file()) + " (";
        int i = message.indexOf(at);
        if (i < 0 || !message.endsWith(")")) {
            return message;
        }
        return message.substring(i + at.length(), message.length() - 1);
    }

    /** The URI of the file at fault, or of the directory. */
    String target() {
        if (location == null) {
            return null;
        }
        return file == null ? location.toString() : location + "/" + file;
    }

    /** Writes this failure as a JSON object. */
    void writeJson(JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("kind", kind);
        g.writeStringField("location", location == null ? null : location.toString());
        g.writeStringField("file", file);
        g.writeStringField("expected", expected);
        g.writeStringField("found", found);
        g.writeStringField("message", message);
        g.writeEndObject();
    }
}
