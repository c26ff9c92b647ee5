package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Compression;
import java.time.Duration;
import java.util.Locale;

/**
 * The format options of {@link CheckpointOptions}, parsed and validated once.
 *
 * @param compression     compression of new part files
 * @param waiter          listing waits
 * @param verifyChecksums whether the post-commit verification re-reads every part's bytes
 */
record CheckpointSettings(Compression compression, ListingWaiter waiter, boolean verifyChecksums) {

    /** Parses the options, failing on the first invalid value. */
    static CheckpointSettings from(CairnOptions options) {
        Compression compression = Compression.fromId(options.getString(CheckpointOptions.COMPRESSION, "none"));
        compression.requireAvailable(); // at build time, not at the first checkpoint an hour into a job
        String verify = options.getString(CheckpointOptions.VERIFY, "checksum").trim().toLowerCase(Locale.ROOT);
        if (!verify.equals("checksum") && !verify.equals("size")) {
            throw new CairnException("Cannot read option " + CheckpointOptions.VERIFY + ": '" + verify
                    + "' (expected checksum or size, found '" + verify + "')");
        }
        ListingWaiter waiter = new ListingWaiter(
                options.getDuration(CheckpointOptions.LISTING_TIMEOUT, Duration.ofSeconds(60)),
                options.getDuration(CheckpointOptions.LISTING_INITIAL_DELAY, Duration.ofMillis(50)),
                options.getDuration(CheckpointOptions.LISTING_MAX_DELAY, Duration.ofSeconds(2)));
        return new CheckpointSettings(compression, waiter, verify.equals("checksum"));
    }
}
