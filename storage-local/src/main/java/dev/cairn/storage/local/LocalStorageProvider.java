package dev.cairn.storage.local;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.StorageProvider;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Serves the {@code file} scheme with a {@link LocalStorage}. Found through
 * {@code META-INF/services} when {@code cairn-storage-local} is on the class path.
 *
 * <h2>Options</h2>
 * <table>
 *   <caption>Options read by this provider</caption>
 *   <tr><th>key</th><th>values</th><th>default</th></tr>
 *   <tr><td>{@value #FSYNC}</td><td>{@code true}, {@code false}</td>
 *       <td>{@code true}: each commit forces the file's bytes to disk before publishing it and
 *       the directory entry after. {@code false} trades crash safety for speed, e.g. on a
 *       scratch disk whose checkpoints need not survive a power cut.</td></tr>
 *   <tr><td>{@value #LISTING_CONSISTENCY}</td><td>{@code strong}, {@code eventual}</td>
 *       <td>{@code strong}: a local disk lists every commit at once. Set {@code eventual}
 *       for NFS, EFS or SMB mounts whose clients cache directory listings, so that a reader
 *       on another machine polls the listing instead of failing on a stale one.</td></tr>
 * </table>
 *
 * <p>Thread-safe (stateless).
 */
public final class LocalStorageProvider implements StorageProvider {
    /** The scheme served: {@value}. */
    public static final String SCHEME = "file";
    /** Option: fsync on commit, {@code true} (default) or {@code false}. */
    public static final String FSYNC = "cairn.local.fsync";
    /** Option: listing consistency to report, {@code strong} (default) or {@code eventual}. */
    public static final String LISTING_CONSISTENCY = "cairn.local.listing.consistency";

    /** The no-argument constructor {@link java.util.ServiceLoader} needs. */
    public LocalStorageProvider() {
    }

    /** {@code file}. */
    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    /** {@value #FSYNC} and {@value #LISTING_CONSISTENCY}. */
    @Override
    public Set<String> optionKeys() {
        return Set.of(FSYNC, LISTING_CONSISTENCY);
    }

    /**
     * Refuses, where the location is set, what no local storage can serve as a directory: a URI
     * with a host ({@code file://host/x}), a relative one ({@code file:rel}) and an existing
     * regular file.
     *
     * @throws CairnException naming the location, the form expected and what was found
     */
    @Override
    public void checkLocation(URI location, CairnOptions options) {
        Path path;
        try {
            path = LocalStorage.toPath(location, "use location");
        } catch (IllegalArgumentException e) {
            throw new CairnException(e.getMessage(), e);
        }
        if (Files.isRegularFile(path)) {
            throw new CairnException("Cannot use location " + location + " (expected a directory or nothing yet at " + path
                    + ", found a regular file of " + path.toFile().length() + " bytes)");
        }
    }

    /**
     * A {@link LocalStorage} configured from {@code options}.
     *
     * @throws CairnException if an option has a value outside the ones listed above
     * @throws IllegalArgumentException if {@code scheme} is not {@code file}
     */
    @Override
    public LocalStorage open(String scheme, CairnOptions options) {
        Objects.requireNonNull(scheme, "scheme");
        if (!SCHEME.equals(scheme.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("Cannot open storage for scheme '" + scheme
                    + "' (expected '" + SCHEME + "', found '" + scheme + "'; this provider serves file:// only)");
        }
        return new LocalStorage(options.getBoolean(FSYNC, true), listingConsistency(options));
    }

    private static ListingConsistency listingConsistency(CairnOptions options) {
        return ListingConsistency.fromOption(options, LISTING_CONSISTENCY, ListingConsistency.STRONG,
                "use eventual for NFS, EFS or SMB mounts whose listings lag");
    }
}
