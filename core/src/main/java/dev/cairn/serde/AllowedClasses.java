package dev.cairn.serde;

import dev.cairn.CairnException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The classes option {@value JavaSerializer#OPTION_ALLOWED_CLASSES} lets Java deserialization
 * create: a comma-separated list of patterns in the syntax of the JDK's {@code jdk.serialFilter}
 * (without its limits and {@code !} exclusions):
 *
 * <ul>
 *   <li>{@code com.example.Point}: that class (nested classes by binary name, {@code Outer$Inner});</li>
 *   <li>{@code com.example.*}: every class of package {@code com.example}, not of its subpackages;</li>
 *   <li>{@code com.example.**}: every class of {@code com.example} and of all its subpackages;</li>
 *   <li>{@code com.example.Point*}: every class whose name starts with {@code com.example.Point}.</li>
 * </ul>
 *
 * <p>Arrays are judged by their element class; arrays of primitives and the boxed primitives,
 * {@code String}, {@code Number}, {@code Enum} and {@code Object} are always allowed (and the
 * carriers the java format writes boxed numbers as, {@link BoxedNumbers}): they carry values, no
 * behaviour of their own, and almost every stream needs them. Immutable and thread-safe.
 */
final class AllowedClasses {
    /** Always allowed once a list is set (see the class comment). */
    private static final Set<String> BASE = Set.of("java.lang.Boolean", "java.lang.Byte", "java.lang.Character",
            "java.lang.Short", "java.lang.Integer", "java.lang.Long", "java.lang.Float", "java.lang.Double",
            "java.lang.Number", "java.lang.String", "java.lang.Enum", "java.lang.Object");
    private static final Pattern NAME = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");

    private final String option;
    private final List<String> patterns;

    private AllowedClasses(String option, List<String> patterns) {
        this.option = option;
        this.patterns = patterns;
    }

    /**
     * The list {@code value} of option {@code option} holds, or {@code null} when it is unset or blank
     * (no list: every class is allowed, as plain Java serialization does).
     *
     * @throws CairnException naming the option and the pattern when a pattern is malformed
     */
    static AllowedClasses parse(String option, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        List<String> patterns = new ArrayList<>();
        for (String raw : value.split(",")) {
            String p = raw.trim();
            if (p.isEmpty()) {
                continue;
            }
            String stem = p.endsWith(".**") ? p.substring(0, p.length() - 3)
                    : p.endsWith("*") ? p.substring(0, p.length() - 1) : p;
            if (stem.endsWith(".")) {
                stem = stem.substring(0, stem.length() - 1);
            }
            if (!NAME.matcher(stem).matches()) {
                throw new CairnException("Cannot read option " + option + ": (expected comma-separated class names or"
                        + " patterns such as com.example.Point, com.example.* or com.example.**, found '" + p + "')");
            }
            patterns.add(p);
        }
        return patterns.isEmpty() ? null : new AllowedClasses(option, Collections.unmodifiableList(patterns));
    }

    /** Whether instances of {@code type} (for an array: of its element class) may be created. */
    boolean allows(Class<?> type) {
        Class<?> element = type;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        if (element.isPrimitive()) {
            return true;
        }
        if (isPlainValue(element)) {
            return true;
        }
        String name = element.getName();
        String pkg = element.getPackageName();
        for (String p : patterns) {
            if (p.endsWith(".**")) {
                String stem = p.substring(0, p.length() - 3);
                if (pkg.equals(stem) || pkg.startsWith(stem + ".")) {
                    return true;
                }
            } else if (p.endsWith(".*")) {
                if (pkg.equals(p.substring(0, p.length() - 2))) {
                    return true;
                }
            } else if (p.endsWith("*")) {
                if (name.startsWith(p.substring(0, p.length() - 1))) {
                    return true;
                }
            } else if (name.equals(p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code type} is one of the value classes every list allows: boxed primitives, {@code String} and their like. */
    static boolean isPlainValue(Class<?> type) {
        return BASE.contains(type.getName()) || BoxedNumbers.isCarrier(type);
    }

    /** The option this list came from. */
    String option() {
        return option;
    }

    @Override
    public String toString() {
        return String.join(",", patterns);
    }
}
