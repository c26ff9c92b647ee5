package dev.cairn.checkpoint;

import java.util.Set;

/**
 * The option keys the checkpoint format reads (through {@link dev.cairn.config.CairnOptions}),
 * whoever drives it: Cairn's engine, the Spark adapter or the command line.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #SERIALIZER}</td><td>{@code kryo}</td><td>{@code kryo} or {@code java}, for new checkpoints</td></tr>
 *   <tr><td>{@value #COMPRESSION}</td><td>{@code none}</td><td>{@code none}, {@code lz4} or {@code zstd}, for new checkpoints</td></tr>
 *   <tr><td>{@value #LISTING_TIMEOUT}</td><td>{@code 60s}</td><td>how long a reader waits for a consistent listing</td></tr>
 *   <tr><td>{@value #LISTING_INITIAL_DELAY}</td><td>{@code 50ms}</td><td>first delay between listings</td></tr>
 *   <tr><td>{@value #LISTING_MAX_DELAY}</td><td>{@code 2s}</td><td>longest delay between listings</td></tr>
 *   <tr><td>{@value #VERIFY}</td><td>{@code auto}</td><td>after a commit: {@code checksum} re-reads every part's
 *       bytes and checks length and CRC32C; {@code size} checks that every part is listed at its length and reads
 *       the manifest back; {@code auto} is {@code checksum} where the storage says a read may come from another copy
 *       than the writer's ({@link dev.cairn.storage.Storage#readsBackFromWriterCache()} false: S3, HDFS) and
 *       {@code size} where it comes from the writer's own cache ({@code file://}, {@code memory://}). Every later
 *       read checks each block's CRC32C before decoding it, whatever the value</td></tr>
 *   <tr><td>{@value #PREFIX_SPREAD}</td><td>{@code 0}</td><td>for new checkpoints: {@code 0} keeps every part in the
 *       checkpoint directory; {@code N} (1 to {@value CheckpointLayout#MAX_PREFIX_SPREAD}) puts part {@code i} under
 *       one of {@code N} sub-prefixes chosen by {@code i mod N}, for stores that limit requests per prefix (S3).
 *       Such checkpoints are written as manifest format 4, which Cairn releases before it refuse as newer</td></tr>
 * </table>
 */
public final class CheckpointOptions {
    /** Option key: the serializer of new checkpoints. */
    public static final String SERIALIZER = "cairn.serializer";
    /** Option key: the compression of new checkpoints. */
    public static final String COMPRESSION = "cairn.checkpoint.compression";
    /** Option key: how long a reader polls an eventually consistent listing. */
    public static final String LISTING_TIMEOUT = "cairn.checkpoint.listing.timeout";
    /** Option key: the first delay between two listings. */
    public static final String LISTING_INITIAL_DELAY = "cairn.checkpoint.listing.initial-delay";
    /** Option key: the longest delay between two listings. */
    public static final String LISTING_MAX_DELAY = "cairn.checkpoint.listing.max-delay";
    /** Option key: what the writer checks after its commit, {@code auto}, {@code checksum} or {@code size}. */
    public static final String VERIFY = "cairn.checkpoint.verify";
    /** Option key: over how many sub-prefixes new checkpoints spread their parts, 0 (default) for none. */
    public static final String PREFIX_SPREAD = "cairn.checkpoint.prefix-spread";

    private CheckpointOptions() {
    }

    /**
     * Checks the values of the keys above: a malformed duration, an unknown verify mode, an
     * unknown compression or one whose library is missing fails here, naming the key.
     *
     * @throws dev.cairn.CairnException naming the key, the value and the form expected
     */
    public static void validate(dev.cairn.config.CairnOptions options) {
        CheckpointSettings.from(options);
    }

    /** Every key above. */
    public static Set<String> keys() {
        return Set.of(SERIALIZER, COMPRESSION, LISTING_TIMEOUT, LISTING_INITIAL_DELAY, LISTING_MAX_DELAY, VERIFY, PREFIX_SPREAD);
    }
}
