package dev.cairn.examples.kills;

import java.io.IOException;
import java.io.InputStream;

/** What the campaign's server mains share: they live as long as their standard input is open. */
final class ServerMains {
    private ServerMains() {
    }

    /** Blocks until standard input reaches its end: the parent closed it, or died. */
    static void awaitEndOfInput() {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // nothing is sent; only the end matters
            }
        } catch (IOException e) {
            // a broken pipe is an end too
        }
    }
}
