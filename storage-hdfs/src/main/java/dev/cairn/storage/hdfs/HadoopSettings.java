package dev.cairn.storage.hdfs;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.ListingConsistency;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The options of one scheme's storage, parsed and validated once.
 *
 * @param scheme  the scheme served
 * @param publish how commits publish files, as configured (a file system that cannot abort an
 *                upload is published by rename whatever this says; see {@link HadoopStorage})
 * @param sync    what a commit forces to disk before publishing
 * @param listing the listing consistency to report
 */
record HadoopSettings(String scheme, Publish publish, Sync sync, ListingConsistency listing) {

    /** How a committed file reaches its final name. */
    enum Publish {
        /** Write a hidden temporary file next to the target, then rename it (atomic on HDFS). */
        RENAME,
        /** Write the final name directly; the store shows nothing until the stream is closed. */
        DIRECT
    }

    /** What a commit forces before it publishes, where the stream supports it. */
    enum Sync {
        /** {@code hsync()}, and blocks created with {@code SYNC_BLOCK}: every block on the DataNodes' disks. */
        HSYNC,
        /** {@code hflush()}: in every DataNode's memory, which a successful {@code close()} also ensures. */
        HFLUSH,
        /** Nothing beyond {@code close()}. */
        NONE
    }

    static HadoopSettings from(String scheme, CairnOptions options) {
        Set<String> direct = schemeList(options.getString(HadoopStorageProvider.DIRECT_WRITE_SCHEMES,
                HadoopStorageProvider.DEFAULT_DIRECT_WRITE_SCHEMES));
        Publish publish = direct.contains(scheme) ? Publish.DIRECT : Publish.RENAME;
        Sync sync = parseSync(options.getString(HadoopStorageProvider.SYNC, "hsync"));
        ListingConsistency listing = ListingConsistency.STRONG;
        if (scheme.equals("s3a")) {
            listing = ListingConsistency.fromOption(options, HadoopStorageProvider.S3A_LISTING_CONSISTENCY, ListingConsistency.EVENTUAL,
                    "strong only for stores whose listings never lag");
        }
        return new HadoopSettings(scheme, publish, sync, listing);
    }

    private static Set<String> schemeList(String value) {
        Set<String> schemes = new TreeSet<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                schemes.add(s.trim().toLowerCase(Locale.ROOT));
            }
        }
        return schemes;
    }

    private static Sync parseSync(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "hsync":
                return Sync.HSYNC;
            case "hflush":
                return Sync.HFLUSH;
            case "none":
                return Sync.NONE;
            default:
                throw new CairnException("Cannot read option " + HadoopStorageProvider.SYNC + ": (expected hsync, hflush or none,"
                        + " found '" + value + "'; hsync is the durable default, none trades crash safety for speed)");
        }
    }
}
