package dev.cairn.examples;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The command-line options of the example mains: {@code --name value} or {@code --name=value},
 * and {@code --help}. Every example runs with no options at all, on embedded defaults.
 */
final class ExampleArgs {
    private final String usage;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> options = new ArrayList<>();
    private final Set<String> known = new TreeSet<>();

    /**
     * @param usage the text {@code --help} prints
     * @param args  the main's arguments
     * @throws IllegalArgumentException for a malformed argument
     */
    ExampleArgs(String usage, String[] args) {
        this.usage = usage;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                values.put("help", "true");
                continue;
            }
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("Cannot parse argument '" + a + "' (expected --name value or --name=value; see --help)");
            }
            int eq = a.indexOf('=');
            String name;
            String value;
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                name = a.substring(2);
                value = args[++i];
            } else {
                name = a.substring(2);
                value = "true"; // a flag
            }
            values.put(name, value);
            if (name.equals("option")) {
                options.add(value); // the one option that may be repeated
            }
        }
    }

    /** Prints the usage and returns true when {@code --help} was given. */
    boolean helpRequested() {
        if (values.containsKey("help")) {
            System.out.println(usage);
            return true;
        }
        return false;
    }

    Optional<String> string(String name) {
        known.add(name);
        return Optional.ofNullable(values.get(name));
    }

    String string(String name, String defaultValue) {
        return string(name).orElse(defaultValue);
    }

    int integer(String name, int defaultValue, int min) {
        long v = longValue(name, defaultValue);
        if (v < min || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Cannot use --" + name + " " + v + " (expected an integer >= " + min + ")");
        }
        return (int) v;
    }

    long longValue(String name, long defaultValue) {
        Optional<String> s = string(name);
        if (s.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(s.get().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot parse --" + name + " '" + s.get() + "' (expected an integer)", e);
        }
    }

    double decimal(String name, double defaultValue) {
        Optional<String> s = string(name);
        if (s.isEmpty()) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(s.get());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Cannot parse --" + name + " '" + s.get() + "' (expected a number)", e);
        }
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(string(name, "false"));
    }

    /**
     * The checkpoint directory: {@code --checkpoint-dir} (any URI a storage module on the class
     * path serves, or a local path), by default {@code cairn-examples} in the temp directory.
     */
    String checkpointDir() {
        return string("checkpoint-dir", Path.of(System.getProperty("java.io.tmpdir"), "cairn-examples").toUri().toString());
    }

    /**
     * The Cairn options given as {@code --option key=value}, repeatable (e.g.
     * {@code --option cairn.s3.endpoint=http://127.0.0.1:9000 --option cairn.s3.path-style-access=true}),
     * for the context: what a {@code s3://} or {@code hdfs://} checkpoint directory needs.
     *
     * @throws IllegalArgumentException for a value without {@code =}
     */
    Map<String, String> contextOptions() {
        known.add("option");
        Map<String, String> out = new LinkedHashMap<>();
        for (String o : options) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Cannot parse --option '" + o + "' (expected key=value, e.g. --option"
                        + " cairn.s3.endpoint=http://127.0.0.1:9000)");
            }
            out.put(o.substring(0, eq), o.substring(eq + 1));
        }
        return out;
    }

    /** Fails on options no example asked for (typos), naming the known ones. Call after reading every option. */
    void rejectUnknown() {
        for (String name : values.keySet()) {
            if (!name.equals("help") && !known.contains(name)) {
                throw new IllegalArgumentException("Cannot use option --" + name + " (expected one of --" + String.join(", --", known)
                        + "; see --help)");
            }
        }
    }

    /** A directory argument as a URI: URIs as given, local paths made absolute. */
    static URI toUri(String dir) {
        String uri = dir.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") ? dir : Path.of(dir).toAbsolutePath().normalize().toUri().toString();
        return URI.create(uri.endsWith("/") && !uri.endsWith("://") ? uri.substring(0, uri.length() - 1) : uri);
    }
}
