package dev.cairn.config;

import dev.cairn.CairnException;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The string-keyed options of a {@link CairnContext}: an immutable map with typed, validating
 * getters. Every getter that parses fails with a {@link CairnException} naming the key, the
 * value found and the form expected.
 *
 * <p>Thread-safe (immutable).
 */
public final class CairnOptions {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]i?b?|b)?");
    /** What a secret key contains; see {@link #isSecret}. */
    private static final String[] SECRET_WORDS = {"secret", "password", "passwd", "token", "credential", "encryption", "account.key",
        ".key.", ".sas."};

    private final Map<String, String> values;

    private CairnOptions(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /** Options holding a copy of {@code values}. */
    public static CairnOptions of(Map<String, String> values) {
        return new CairnOptions(values);
    }

    /** No options: every getter returns its default. */
    public static CairnOptions empty() {
        return new CairnOptions(Map.of());
    }

    /** All options as an unmodifiable, sorted map. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The raw value of {@code key}, if set. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The value of {@code key}, or {@code defaultValue} when it is not set. */
    public String getString(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /** {@code true} or {@code false} (any case); anything else fails. */
    public boolean getBoolean(String key, boolean defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw invalid(key, v, "true or false");
        }
    }

    /** A whole number. */
    public int getInt(String key, int defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, v, "a whole number");
        }
    }

    /** A duration such as {@code 500ms}, {@code 30s}, {@code 2m} or {@code 1h}; a bare number is milliseconds. */
    public Duration getDuration(String key, Duration defaultValue) {
        String v = values.get(key);
        return v == null ? defaultValue : parseDuration(key, v);
    }

    /** A byte size such as {@code 8MiB}, {@code 64k}, {@code 1g} (binary units); a bare number is bytes. */
    public long getBytes(String key, long defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        Matcher m = SIZE.matcher(v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw invalid(key, v, "a size such as 512, 64k, 8MiB or 1g");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        switch (unit.charAt(0)) {
            case 'k':
                return n << 10;
            case 'm':
                return n << 20;
            case 'g':
                return n << 30;
            case 't':
                return n << 40;
            default:
                return n;
        }
    }

    /** Parses a duration written as {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or bare milliseconds. */
    public static Duration parseDuration(String key, String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw invalid(key, value, "a duration such as 500ms, 30s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        switch (unit) {
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            case "h":
                return Duration.ofHours(n);
            default:
                return Duration.ofMillis(n);
        }
    }

    private static CairnException invalid(String key, String value, String expected) {
        String shown = isSecret(key) ? "****" : value;
        return new CairnException("Cannot read option " + key + ": '" + shown + "' (expected " + expected + ", found '" + shown + "')");
    }

    /**
     * Whether {@code key} holds a secret, whose value must never reach a log line, a message or a
     * {@code toString}. The one list every part of Cairn redacts by (the command line's output
     * filter too); it errs on the side of hiding. Case ignored, a key is secret when it contains
     * {@code secret}, {@code password}, {@code passwd}, {@code token}, {@code credential},
     * {@code encryption}, {@code account.key} or {@code .key.}, contains {@code .sas.}, or ends in
     * {@code .key} other than {@code access.key}. That covers {@code cairn.s3.secret-key},
     * {@code cairn.s3.session-token} and, under {@code cairn.hadoop.}, the keys Hadoop itself
     * treats as sensitive ({@code hadoop.security.sensitive-config-keys}): {@code fs.s3a.secret.key},
     * {@code fs.s3a.session.token}, {@code fs.s3a.encryption.key},
     * {@code fs.azure.account.key.<account>}, {@code fs.azure.account.oauth2.client.secret},
     * {@code fs.gs.auth.service.account.private.key}, {@code ssl.*.password} and their per-bucket
     * forms. Access keys ({@code cairn.s3.access-key}, {@code fs.s3a.access.key}) are
     * identifiers, sent in the clear with every request, and are shown.
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        return k.endsWith(".key") && !k.endsWith("access.key");
    }

    /** The options with every secret value replaced by {@code ****}, for messages and logs. */
    public Map<String, String> redacted() {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, isSecret(k) ? "****" : v));
        return Collections.unmodifiableMap(out);
    }

    /** The options, secrets hidden (see {@link #isSecret}). */
    @Override
    public String toString() {
        return redacted().toString();
    }
}
