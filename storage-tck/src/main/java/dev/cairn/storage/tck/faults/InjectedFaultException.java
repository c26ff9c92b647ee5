package dev.cairn.storage.tck.faults;

import java.io.IOException;

/**
 * An {@link IOException} thrown on purpose by {@link FaultInjectingStorage}. Code under test
 * should treat it like any I/O failure; it is a subclass only so that a test can tell an
 * injected failure from a real one.
 */
public class InjectedFaultException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An injected failure described by {@code message}. */
    public InjectedFaultException(String message) {
        super(message);
    }
}
