package dev.cairn.checkpoint;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The bytes of a file as the store hands them over, with every failure of the store marked as
 * such ({@link StoreFailure}). Decoders and codecs above wrap the exceptions of the streams they
 * read; the mark survives in the cause chain, so a reader can tell "the store failed" (a reset
 * connection, a 503) from "the bytes are wrong" however deep the failure surfaced.
 */
final class StoreInput extends FilterInputStream {

    /** A failure of the store, not of the data. */
    static final class StoreFailure extends IOException {
        private static final long serialVersionUID = 1L;

        StoreFailure(IOException cause) {
            super(cause.toString(), cause);
        }
    }

    StoreInput(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return in.read();
        } catch (IOException e) {
            throw mark(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            throw mark(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return in.skip(n);
        } catch (IOException e) {
            throw mark(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            in.close();
        } catch (IOException e) {
            throw mark(e);
        }
    }

    private static IOException mark(IOException e) {
        return e instanceof StoreFailure ? e : new StoreFailure(e);
    }

    /** Whether {@code t} or one of its causes is a failure of the store. */
    static boolean isStoreFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof StoreFailure) {
                return true;
            }
        }
        return false;
    }

    /** The store's own exception inside a {@link StoreFailure}, for messages. */
    static Throwable storeCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof StoreFailure && c.getCause() != null) {
                return c.getCause();
            }
        }
        return t;
    }

    /**
     * Whether {@code t} or one of its causes says a record class could not be loaded or linked
     * (a {@link LinkageError}: a {@link NoClassDefFoundError} for a missing dependency, a class
     * compiled for a newer JDK, ...).
     */
    static boolean isMissingClass(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ClassNotFoundException || c instanceof LinkageError) {
                return true;
            }
            String m = c.getMessage();
            if (m != null && m.startsWith("Unable to find class")) { // Kryo's own words, without a ClassNotFoundException cause
                return true;
            }
        }
        return false;
    }
}
