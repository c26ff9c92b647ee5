package dev.cairn.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Where a command prints: results on standard output (text, or one JSON document with
 * {@code --json}), progress, summaries and errors on standard error.
 */
final class Output {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;
    private final boolean verbose;

    Output(PrintWriter out, PrintWriter err, boolean json, boolean verbose) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.verbose = verbose;
    }

    /** Whether the result goes out as JSON. */
    boolean json() {
        return json;
    }

    /** A line of the result (text mode). */
    void line(String text) {
        out.println(text);
    }

    /** A line for the person at the terminal: progress, a summary, a warning. Never part of the result. */
    void note(String text) {
        err.println(text);
    }

    /** Standard output, for the commands that stream (cat). */
    PrintWriter out() {
        return out;
    }

    /** Standard error. */
    PrintWriter err() {
        return err;
    }

    /**
     * A JSON generator writing one pretty-printed document to standard output; closing it ends
     * the document with a newline and flushes, but leaves standard output open.
     */
    JsonGenerator jsonGenerator() {
        try {
            JsonGenerator g = JSON.createGenerator(new java.io.Writer() {
                @Override
                public void write(char[] cbuf, int off, int len) {
                    out.write(cbuf, off, len);
                }

                @Override
                public void flush() {
                    out.flush();
                }

                @Override
                public void close() {
                    out.println();
                    out.flush();
                }
            });
            g.useDefaultPrettyPrinter();
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reports a failure that ends the command: its message (in the project's form) on standard
     * error, and with {@code --json} also as {@code {"error": {...}}} on standard output.
     *
     * @return the exit code, {@link CairnCli#PROBLEM}
     */
    int failure(Throwable e) {
        Failure f = Failure.of(e);
        err.println(f.message());
        if (verbose) {
            e.printStackTrace(err);
        }
        if (json) {
            try (JsonGenerator g = jsonGenerator()) {
                g.writeStartObject();
                g.writeFieldName("error");
                f.writeJson(g);
                g.writeEndObject();
            } catch (IOException io) {
                throw new UncheckedIOException(io);
            }
        }
        out.flush();
        err.flush();
        return CairnCli.PROBLEM;
    }
}
