package dev.cairn.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Runs an example main in this JVM and keeps what it printed, for tests of its output. */
final class StandardOutput {
    private StandardOutput() {
    }

    /**
     * Runs {@code main} with {@code System.out} captured (and still echoed, for the test report).
     *
     * @param printed receives the captured text in its first element
     */
    static synchronized <R> R capture(String[] printed, Supplier<R> main) {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                bytes.write(b);
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                bytes.write(b, off, len);
                original.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
        System.setOut(both);
        try {
            return main.get();
        } finally {
            System.out.flush();
            System.setOut(original);
            printed[0] = bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
