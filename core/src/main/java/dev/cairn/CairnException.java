package dev.cairn;

/**
 * Root of every exception Cairn throws. Unchecked: a failed job or checkpoint is not something
 * a caller can usually recover from at the call site, and Cairn's API is built from plain
 * {@code java.util.function} types that cannot declare checked exceptions.
 *
 * <p>Messages follow one form: {@code Cannot <verb> <thing>: <location> (<expected>, <found>; <hint>)},
 * and the cause is always kept.
 */
public class CairnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a message and no cause. */
    public CairnException(String message) {
        super(message);
    }

    /** An error with a message and the exception that caused it. */
    public CairnException(String message, Throwable cause) {
        super(message, cause);
    }
}
