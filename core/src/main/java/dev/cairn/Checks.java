package dev.cairn;

/** Argument checks that fail at once with messages naming the call and the dataset. */
final class Checks {
    private Checks() {
    }

    static void notNull(Object value, String operation, String what, Object on) {
        if (value == null) {
            throw new CairnException("Cannot " + operation + (on == null ? "" : " dataset " + on) + " (expected a " + what
                    + ", found null)");
        }
    }

    static void positive(int value, String operation, String what, Object on) {
        if (value <= 0) {
            throw new CairnException("Cannot " + operation + (on == null ? "" : " dataset " + on) + " (expected " + what
                    + " > 0, found " + value + ")");
        }
    }

    static void sameContext(Dataset<?> a, Dataset<?> b, String operation) {
        if (a.context() != b.context()) {
            throw new CairnException("Cannot " + operation + " dataset " + a + " with " + b
                    + " (expected datasets of one context, found two contexts)");
        }
    }
}
