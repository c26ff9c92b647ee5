package dev.cairn.benchmarks.jmh;

import java.io.ByteArrayOutputStream;

/** A byte array stream that is reused between invocations and whose {@code close} does nothing. */
final class Sink extends ByteArrayOutputStream {
    Sink(int size) {
        super(size);
    }

    byte[] buffer() {
        return buf;
    }
}
