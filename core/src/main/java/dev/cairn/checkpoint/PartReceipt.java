package dev.cairn.checkpoint;

import java.io.Serializable;

/**
 * What a task hands back after it published its part: small and serializable, so it travels
 * from an executor to the driver, which commits the checkpoint from one receipt per partition.
 *
 * @param writerId  the {@link CheckpointSpec#writerId()} of the write it belongs to
 * @param partition the partition index
 * @param file      the part's file name, {@code part-NNNNN}
 * @param bytes     the file's length
 * @param records   the records in it
 * @param crc32c    the CRC32C of the file's bytes
 * @param streamBytes the length of its record stream before compression and blocks, -1 if unknown
 */
public record PartReceipt(String writerId, int partition, String file, long bytes, long records, long crc32c, long streamBytes)
        implements Serializable {

    /** A receipt without the record stream's length. */
    public PartReceipt(String writerId, int partition, String file, long bytes, long records, long crc32c) {
        this(writerId, partition, file, bytes, records, crc32c, -1);
    }

    /** The manifest entry of this part. */
    public CheckpointManifest.Part part() {
        return new CheckpointManifest.Part(file, bytes, records, crc32c, streamBytes);
    }
}
