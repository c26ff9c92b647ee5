package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import java.net.URI;

/**
 * How the format retries a store call that failed with an I/O error (a listing, opening a file):
 * a few attempts with short, growing pauses. Backends retry their own requests already; this
 * covers what they leave to the caller (an S3 response cut after its headers, a NameNode
 * fail-over), and it keeps a passing failure from failing a whole checkpoint.
 */
final class Retries {
    /** Attempts in all, the first included. */
    static final int ATTEMPTS = 3;
    private static final long[] PAUSES_MS = {100, 400};

    private Retries() {
    }

    /** Pauses after failed attempt {@code attempt} (0-based), unless it was the last. */
    static void pause(int attempt, String dataset, URI location, String verb) {
        if (attempt >= PAUSES_MS.length) {
            return;
        }
        try {
            Thread.sleep(PAUSES_MS[attempt]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CairnException("Cannot " + verb + " checkpoint of dataset " + dataset + ": " + location
                    + " (interrupted while waiting to retry a failed store call)", e);
        }
    }
}
