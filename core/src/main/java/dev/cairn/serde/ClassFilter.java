package dev.cairn.serde;

import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The {@link ObjectInputFilter} every Java deserialization in this package runs through: java
 * streams, and the values a kryo stream carries in Java serialization. It combines the JVM-wide
 * filter ({@code jdk.serialFilter}, or whatever {@link ObjectInputFilter.Config#setSerialFilter}
 * installed) with Cairn's own rules, and the stricter wins: a class is refused when the JVM-wide
 * filter or any rule refuses it. The combination is needed because a filter set on a stream replaces
 * the JVM-wide one (the JDK's default filter factory keeps only the newer), which would silently
 * drop an administrator's {@code jdk.serialFilter}.
 *
 * <p>The filter sees a class before the stream creates anything of it: {@link java.io.ObjectInputStream}
 * loads the class without initialising it, asks the filter, and only then runs constructors,
 * {@code readObject} or {@code readResolve}. So a refused class runs no code at all.
 *
 * <p>One filter per stream: it remembers the first refusal, so the error can name the class and the
 * setting that refused it ({@link #refusal(String, long)}). Not thread-safe, as a stream is not.
 */
final class ClassFilter implements ObjectInputFilter {
    /**
     * The classes one setting allows. {@code allowed} describes them for messages, {@code hint} says
     * how to allow more.
     */
    record Rule(String setting, String allowed, String hint, Predicate<Class<?>> allows) {
    }

    private final ObjectInputFilter jvmWide;
    private final List<Rule> rules;
    /** The bytes the stream can still deliver, or null when unknown. */
    private final LongSupplier remaining;
    private RefusedClassException refused;
    private String overlong;

    private ClassFilter(ObjectInputFilter jvmWide, List<Rule> rules, LongSupplier remaining) {
        this.jvmWide = jvmWide;
        this.rules = rules;
        this.remaining = remaining;
    }

    /** A filter for one stream, or {@code null} when neither a JVM-wide filter nor a rule is set. */
    static ClassFilter of(ObjectInputFilter jvmWide, List<Rule> rules) {
        return of(jvmWide, rules, null);
    }

    /**
     * A filter for one stream that also refuses any array longer than the bytes the stream can
     * still deliver ({@code remaining}, null when unknown), or {@code null} when there is nothing to check.
     */
    static ClassFilter of(ObjectInputFilter jvmWide, List<Rule> rules, LongSupplier remaining) {
        return jvmWide == null && rules.isEmpty() && remaining == null ? null
                : new ClassFilter(jvmWide, List.copyOf(rules), remaining);
    }

    /**
     * What made this filter refuse an array as longer than the stream ("an array of ... found"),
     * or {@code null}: the stream is corrupt, no class was refused.
     */
    String overlong() {
        return overlong;
    }

    /** The fewest bytes one element of an array of {@code component} takes in a stream. */
    static int elementBytes(Class<?> component) {
        if (component == long.class || component == double.class) {
            return 8;
        }
        if (component == int.class || component == float.class) {
            return 4;
        }
        if (component == short.class || component == char.class) {
            return 2;
        }
        return 1; // byte, boolean, and a reference: a null takes one byte
    }

    /** The JVM-wide filter in force now ({@code jdk.serialFilter}), or {@code null}. */
    static ObjectInputFilter jvmWide() {
        return ObjectInputFilter.Config.getSerialFilter();
    }

    /** The rule of an allow-list option, or none when the option is unset. */
    static List<Rule> rules(AllowedClasses allowed) {
        return allowed == null ? List.of() : List.of(new Rule(allowed.option(), allowed.toString(),
                "add the class or its package to " + allowed.option(), allowed::allows));
    }

    @Override
    public Status checkInput(FilterInfo info) {
        Status jvm = jvmWide == null ? Status.UNDECIDED : jvmWide.checkInput(info);
        Class<?> type = info.serialClass();
        if (jvm == Status.REJECTED) {
            // The JVM-wide filter may refuse a class or a limit (depth, references, bytes, array length).
            String found = (type == null ? "" : type.getTypeName() + " in ") + limits(info);
            remember(new RefusedClassException(found, "jdk.serialFilter", String.valueOf(jvmWide), "change jdk.serialFilter"));
            return Status.REJECTED;
        }
        if (remaining != null && info.arrayLength() >= 0 && type != null && type.isArray()) {
            long need = info.arrayLength() * elementBytes(type.getComponentType());
            long left = remaining.getAsLong();
            if (need > left) {
                if (overlong == null) {
                    overlong = "an array of at most " + left + " bytes, the rest of the stream, found a length of "
                            + info.arrayLength() + " for " + type.getTypeName() + " (at least " + need + " bytes)";
                }
                return Status.REJECTED;
            }
        }
        if (type == null || rules.isEmpty()) {
            return jvm;
        }
        for (Rule rule : rules) {
            if (!rule.allows().test(type)) {
                // getTypeName: an array shows as Element[], naming the class to allow.
                remember(new RefusedClassException(type.getTypeName(), rule.setting(), rule.allowed(), rule.hint()));
                return Status.REJECTED;
            }
        }
        return Status.ALLOWED;
    }

    /**
     * The refusal this filter made, as the error of the record at {@code index} of a
     * {@code serializer} stream, or {@code null} when it refused nothing.
     */
    RefusedClassException refusal(String serializer, long index) {
        return refused == null ? null : refused.atRecord(serializer, index);
    }

    /** The first refusal of this stream, to attach to whatever exception the stream throws for it. */
    RefusedClassException refusal() {
        return refused;
    }

    private void remember(RefusedClassException e) {
        if (refused == null) {
            refused = e;
        }
    }

    private static String limits(FilterInfo info) {
        return "a stream at depth " + info.depth() + ", references " + info.references() + ", bytes "
                + info.streamBytes() + (info.arrayLength() >= 0 ? ", array length " + info.arrayLength() : "");
    }

    /**
     * A class (or a stream beyond the JVM-wide limits) that a filter refused. Without a record index
     * it is what the filter saw; {@link #atRecord(String, long)} makes the error the reader throws.
     */
    static final class RefusedClassException extends InvalidClassException {
        private static final long serialVersionUID = 1L;
        private final String found;
        private final String setting;
        private final String allowed;
        private final String hint;

        RefusedClassException(String found, String setting, String allowed, String hint) {
            super("Refused " + found + " (" + setting + ")");
            this.found = found;
            this.setting = setting;
            this.allowed = allowed;
            this.hint = hint;
        }

        private RefusedClassException(RefusedClassException seen, String message) {
            super(message);
            this.found = seen.found;
            this.setting = seen.setting;
            this.allowed = seen.allowed;
            this.hint = seen.hint;
        }

        RefusedClassException atRecord(String serializer, long index) {
            RefusedClassException e = new RefusedClassException(this, "Cannot read record: " + serializer
                    + " stream at record index " + index + " (expected classes allowed by " + setting + " [" + allowed
                    + "], found " + found + "; refused before any of its code ran: a checkpoint is input from whoever"
                    + " could write to its store; if you trust that writer, " + hint + ")");
            e.initCause(this);
            return e;
        }
    }
}
