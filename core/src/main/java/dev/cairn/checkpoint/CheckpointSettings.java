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
 * @param verify          what the post-commit verification checks
 * @param prefixSpread    over how many sub-prefixes new checkpoints spread their parts; 0: none
 */
record CheckpointSettings(Compression compression, ListingWaiter waiter, Verify verify, int prefixSpread) {

    /** The values of {@link CheckpointOptions#VERIFY}. */
    enum Verify {
        /** {@link #CHECKSUM} where a read-back can reach another copy than the writer's, else {@link #SIZE}. */
        AUTO,
        /** Re-read every part's bytes: length and CRC32C. */
        CHECKSUM,
        /** Every part listed at its length, and the manifest read back. */
        SIZE;

        /** Whether to re-read every part's bytes on {@code storage}. */
        boolean rereadsOn(dev.cairn.storage.Storage storage) {
            return this == CHECKSUM || (this == AUTO && !storage.readsBackFromWriterCache());
        }
    }

    /** Parses the options, failing on the first invalid value. */
    static CheckpointSettings from(CairnOptions options) {
        Compression compression = Compression.fromId(options.getString(CheckpointOptions.COMPRESSION, "none"));
        compression.requireAvailable(); // at build time, not at the first checkpoint an hour into a job
        String verifyValue = options.getString(CheckpointOptions.VERIFY, "auto").trim().toLowerCase(Locale.ROOT);
        Verify verify;
        switch (verifyValue) {
            case "auto":
                verify = Verify.AUTO;
                break;
            case "checksum":
                verify = Verify.CHECKSUM;
                break;
            case "size":
                verify = Verify.SIZE;
                break;
            default:
                throw new CairnException("Cannot read option " + CheckpointOptions.VERIFY + ": '" + verifyValue
                        + "' (expected auto, checksum or size, found '" + verifyValue + "')");
        }
        ListingWaiter waiter = new ListingWaiter(
                options.getDuration(CheckpointOptions.LISTING_TIMEOUT, Duration.ofSeconds(60)),
                options.getDuration(CheckpointOptions.LISTING_INITIAL_DELAY, Duration.ofMillis(50)),
                options.getDuration(CheckpointOptions.LISTING_MAX_DELAY, Duration.ofSeconds(2)));
        return new CheckpointSettings(compression, waiter, verify, prefixSpread(options));
    }

    private static int prefixSpread(CairnOptions options) {
        String value = options.getString(CheckpointOptions.PREFIX_SPREAD, "0").trim();
        int spread;
        try {
            spread = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            spread = -1;
        }
        if (spread < 0 || spread > CheckpointLayout.MAX_PREFIX_SPREAD) {
            throw new CairnException("Cannot read option " + CheckpointOptions.PREFIX_SPREAD + ": '" + value + "' (expected an integer"
                    + " from 0 (no spread, the default) to " + CheckpointLayout.MAX_PREFIX_SPREAD + ", found '" + value + "')");
        }
        return spread;
    }
}
