package dev.cairn.storage.hdfs;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server or cluster started once for a test class and closed after it: register it as a static
 * {@code @RegisterExtension} field. It starts before the class's (and its superclasses')
 * {@code @BeforeAll} methods run, so they can use it.
 */
class PerClass<T extends AutoCloseable> implements BeforeAllCallback, AfterAllCallback {
    /** Starts the thing. */
    interface Starter<T> {
        T start() throws Exception;
    }

    private final Starter<T> starter;
    private T started;

    PerClass(Starter<T> starter) {
        this.starter = starter;
    }

    /** The started thing. */
    final T get() {
        if (started == null) {
            throw new IllegalStateException("Not started: expected a static @RegisterExtension field, used inside its test class");
        }
        return started;
    }

    @Override
    public final void beforeAll(ExtensionContext context) throws Exception {
        started = starter.start();
    }

    @Override
    public final void afterAll(ExtensionContext context) throws Exception {
        if (started != null) {
            try {
                started.close();
            } finally {
                started = null;
            }
        }
    }
}
