package dev.cairn.benchmarks.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a child run reports: one line {@code RESULT key=value key=value ...} on stdout. Values
 * hold no blanks.
 */
public final class Result {
    static final String PREFIX = "RESULT ";
    private final Map<String, String> values = new LinkedHashMap<>();

    /** Adds a figure. */
    public Result put(String key, Object value) {
        String v = String.valueOf(value);
        if (v.isEmpty() || v.chars().anyMatch(Character::isWhitespace) || key.contains("=")) {
            throw new IllegalArgumentException("bad result entry " + key + "=" + v);
        }
        values.put(key, v);
        return this;
    }

    /** Prints the line the harness looks for. */
    public void print() {
        StringBuilder sb = new StringBuilder(PREFIX);
        values.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
        System.out.println(sb.toString().trim());
        System.out.flush();
    }

    /** Parses a line printed by {@link #print()}; null if {@code line} is not one. */
    static Map<String, String> parse(String line) {
        if (!line.startsWith(PREFIX)) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : line.substring(PREFIX.length()).trim().split(" ")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return out;
    }

    /** Nanoseconds as milliseconds with two decimals. */
    /** The median of {@code values} (the mean of the middle two for an even count), NaN for none. */
    public static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    public static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }

    /**
     * Under {@code dir}: bytes of the files whose name starts with {@code dataPrefix}, bytes of all
     * files (checksum side files, manifests, markers included), and the number of files.
     */
    public static long[] bytesOnDisk(Path dir, String dataPrefix) {
        long[] out = new long[3];
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                try {
                    long size = Files.size(f);
                    if (f.getFileName().toString().startsWith(dataPrefix)) {
                        out[0] += size;
                    }
                    out[1] += size;
                    out[2]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
