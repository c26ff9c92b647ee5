package dev.cairn.benchmarks.harness;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line arguments; {@code --flag} alone means {@code true}. */
public final class Args {
    private final Map<String, String> values = new HashMap<>();

    /** Parses {@code args}. */
    public Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("expected --name [value], found '" + a + "'");
            }
            String name = a.substring(2);
            if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                values.put(name, args[++i]);
            } else {
                values.put(name, "true");
            }
        }
    }

    /** The value of {@code --name}, or {@code def}. */
    public String get(String name, String def) {
        return values.getOrDefault(name, def);
    }

    /** The value of {@code --name}; fails when missing. */
    public String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing argument --" + name);
        }
        return v;
    }

    /** A long, accepting {@code 5M}, {@code 100k} and underscores. */
    public long getLong(String name, long def) {
        String v = values.get(name);
        return v == null ? def : parseCount(v);
    }

    /** An int. */
    public int getInt(String name, int def) {
        return (int) getLong(name, def);
    }

    /** A boolean. */
    public boolean getBoolean(String name, boolean def) {
        String v = values.get(name);
        return v == null ? def : Boolean.parseBoolean(v);
    }

    /** A double. */
    public double getDouble(String name, double def) {
        String v = values.get(name);
        return v == null ? def : Double.parseDouble(v);
    }

    /** {@code 5M} = 5,000,000; {@code 2k} = 2,000; {@code 1G} = 10^9. */
    public static long parseCount(String s) {
        String t = s.trim().replace("_", "");
        long mult = 1;
        char last = Character.toUpperCase(t.charAt(t.length() - 1));
        if (last == 'K' || last == 'M' || last == 'G') {
            mult = last == 'K' ? 1_000L : last == 'M' ? 1_000_000L : 1_000_000_000L;
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mult;
    }
}
