package dev.cairn.cli;

import dev.cairn.config.CairnOptions;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Keeps secrets given as options ({@code -o cairn.s3.secret-key=…}, a Hadoop password, a session
 * token) out of everything the command prints: the values are replaced by {@code ****} in every
 * line written to standard output and standard error, whoever writes it (the command, picocli's
 * error messages, a library's log line). The command never prints options on purpose; this is
 * the net under that rule.
 *
 * <p>Thread-safe.
 */
final class Redactor {
    private static final String MASK = "****";
    /** Values shorter than this are not masked: masking "x" would garble every line. */
    private static final int MIN_LENGTH = 4;

    private final Set<String> secrets = new CopyOnWriteArraySet<>();

    /** Whether the value of {@code key} must never be printed: the library's own list, {@link CairnOptions#isSecret}. */
    static boolean isSecret(String key) {
        return CairnOptions.isSecret(key);
    }

    /**
     * A redactor that already knows the secret values in {@code args} ({@code key=value} words whose
     * key is secret), before picocli has parsed anything and may echo an argument in an error.
     */
    static Redactor fromArguments(String[] args) {
        Redactor r = new Redactor();
        for (String a : args) {
            // -o key=value, -okey=value, --option=key=value: the text before each '=' (back to the
            // previous one) is a key candidate; a secret one masks everything after it.
            int start = 0;
            for (int eq = a.indexOf('='); eq > 0; eq = a.indexOf('=', eq + 1)) {
                if (isSecret(a.substring(start, eq))) {
                    r.add(a.substring(eq + 1));
                    break;
                }
                start = eq + 1;
            }
        }
        return r;
    }

    /** Registers the secret values among {@code options}. */
    void addSecretsOf(Map<String, String> options) {
        options.forEach((k, v) -> {
            if (isSecret(k)) {
                add(v);
            }
        });
    }

    private void add(String value) {
        if (value != null && value.length() >= MIN_LENGTH) {
            secrets.add(value);
        }
    }

    /** {@code text} with every secret replaced. */
    String redact(String text) {
        String s = text;
        for (String secret : secrets) {
            s = s.replace(secret, MASK);
        }
        return s;
    }

    /**
     * {@code out} seen through this redactor: bytes are held until a line ends (or a flush) and the
     * line is written redacted. Without secrets, bytes pass straight through.
     */
    OutputStream filter(OutputStream out) {
        return new FilterOutputStream(out) {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

            @Override
            public synchronized void write(int b) throws IOException {
                if (secrets.isEmpty()) {
                    out.write(b);
                    return;
                }
                line.write(b);
                if (b == '\n' || b == '\r') {
                    emit();
                }
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) throws IOException {
                if (secrets.isEmpty() && line.size() == 0) {
                    out.write(b, off, len);
                    return;
                }
                for (int i = off; i < off + len; i++) {
                    write(b[i]);
                }
            }

            @Override
            public synchronized void flush() throws IOException {
                emit();
                out.flush();
            }

            private void emit() throws IOException {
                if (line.size() > 0) {
                    out.write(redact(line.toString(StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                    line.reset();
                }
            }
        };
    }
}
