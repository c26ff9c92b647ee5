package dev.cairn.storage.s3;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageProvider;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Serves the {@code s3} scheme with an {@link S3Storage}. Found through {@code META-INF/services}
 * when {@code cairn-storage-s3} is on the class path; reads the {@code cairn.s3.*} options listed
 * in {@link S3StorageSettings}. For {@code s3a://} and other Hadoop URIs use
 * {@code cairn-storage-hdfs}; this module is the native, dependency-light path.
 *
 * <p>The listing waits of an {@code eventual} store are configured by core's
 * {@code cairn.checkpoint.listing.timeout}, {@code .initial-delay} and {@code .max-delay}, not
 * here: the polling lives in core, the same for every backend.
 *
 * <p>Thread-safe (stateless).
 */
public final class S3StorageProvider implements StorageProvider {
    /** The scheme served: {@value}. */
    public static final String SCHEME = "s3";

    /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
    public S3StorageProvider() {
    }

    /** {@code s3}. */
    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    /** Every {@code cairn.s3.*} key of {@link S3StorageSettings}. */
    @Override
    public Set<String> optionKeys() {
        return S3StorageSettings.optionKeys();
    }

    /**
     * Checks every {@code cairn.s3.*} option (endpoint with its scheme, credentials complete and
     * unambiguous, sizes, durations, the CA bundle readable) without opening a storage, so that
     * {@code CairnContext.Builder.build()} can fail at once with the complete message instead of
     * inside the first task.
     *
     * @throws CairnException naming the first invalid option, the value found and the form expected
     */
    @Override
    public void checkOptions(CairnOptions options) {
        S3StorageSettings.validate(options);
    }

    /**
     * An {@link S3Storage} configured from {@code options}.
     *
     * @throws CairnException naming the option when a value is invalid
     * @throws IllegalArgumentException if {@code scheme} is not {@code s3}
     */
    @Override
    public Storage open(String scheme, CairnOptions options) {
        Objects.requireNonNull(scheme, "scheme");
        if (!SCHEME.equals(scheme.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("Cannot open storage for scheme '" + scheme + "' (expected '" + SCHEME
                    + "', found '" + scheme + "'; this provider serves s3:// only, use cairn-storage-hdfs for s3a://)");
        }
        return new S3Storage(S3StorageSettings.fromOptions(options));
    }
}
