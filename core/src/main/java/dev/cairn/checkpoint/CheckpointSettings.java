package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.Compression;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The checkpoint options of a context, parsed and validated once.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code cairn.checkpoint.compression}</td><td>{@code none}</td><td>{@code none}, {@code lz4} or {@code zstd}</td></tr>
 *   <tr><td>{@code cairn.checkpoint.cleanup-on-close}</td><td>{@code false}</td><td>delete this context's checkpoints on close</td></tr>
 *   <tr><td>{@code cairn.checkpoint.cleanup-on-gc}</td><td>{@code false}</td><td>delete a checkpoint once its dataset is garbage collected</td></tr>
 *   <tr><td>{@code cairn.checkpoint.listing.timeout}</td><td>{@code 60s}</td><td>how long a reload waits for a consistent listing</td></tr>
 *   <tr><td>{@code cairn.checkpoint.listing.initial-delay}</td><td>{@code 50ms}</td><td>first delay between listings</td></tr>
 *   <tr><td>{@code cairn.checkpoint.listing.max-delay}</td><td>{@code 2s}</td><td>longest delay between listings</td></tr>
 *   <tr><td>{@code cairn.checkpoint.verify}</td><td>{@code checksum}</td><td>after writing: {@code checksum} re-reads every part's
 *       bytes and checks length and CRC32C; {@code size} checks the listed sizes only</td></tr>
 * </table>
 *
 * @param compression     compression of part files
 * @param cleanupOnClose  delete the context's checkpoint directory on close
 * @param cleanupOnGc     delete a dataset's checkpoint when the dataset is garbage collected
 * @param waiter          listing waits
 * @param verifyChecksums whether the post-write verification re-reads the bytes
 */
public record CheckpointSettings(Compression compression, boolean cleanupOnClose, boolean cleanupOnGc, ListingWaiter waiter,
                                 boolean verifyChecksums) {

    /** Option keys. */
    public static final String COMPRESSION = "cairn.checkpoint.compression";
    /** Option key. */
    public static final String CLEANUP_ON_CLOSE = "cairn.checkpoint.cleanup-on-close";
    /** Option key. */
    public static final String CLEANUP_ON_GC = "cairn.checkpoint.cleanup-on-gc";
    /** Option key. */
    public static final String LISTING_TIMEOUT = "cairn.checkpoint.listing.timeout";
    /** Option key. */
    public static final String LISTING_INITIAL_DELAY = "cairn.checkpoint.listing.initial-delay";
    /** Option key. */
    public static final String LISTING_MAX_DELAY = "cairn.checkpoint.listing.max-delay";
    /** Option key. */
    public static final String VERIFY = "cairn.checkpoint.verify";

    /** Every key this record reads. */
    public static Set<String> optionKeys() {
        return Set.of(COMPRESSION, CLEANUP_ON_CLOSE, CLEANUP_ON_GC, LISTING_TIMEOUT, LISTING_INITIAL_DELAY, LISTING_MAX_DELAY, VERIFY);
    }

    /** Parses the options, failing on the first invalid value. */
    public static CheckpointSettings from(CairnOptions options) {
        Compression compression = Compression.fromId(options.getString(COMPRESSION, "none"));
        compression.requireAvailable(); // at build time, not at the first checkpoint an hour into a job
        String verify = options.getString(VERIFY, "checksum").trim().toLowerCase(Locale.ROOT);
        if (!verify.equals("checksum") && !verify.equals("size")) {
            throw new CairnException("Cannot read option " + VERIFY + ": (expected checksum or size, found '" + verify + "')");
        }
        ListingWaiter waiter = new ListingWaiter(
                options.getDuration(LISTING_TIMEOUT, Duration.ofSeconds(60)),
                options.getDuration(LISTING_INITIAL_DELAY, Duration.ofMillis(50)),
                options.getDuration(LISTING_MAX_DELAY, Duration.ofSeconds(2)));
        return new CheckpointSettings(compression, options.getBoolean(CLEANUP_ON_CLOSE, false),
                options.getBoolean(CLEANUP_ON_GC, false), waiter, verify.equals("checksum"));
    }
}
