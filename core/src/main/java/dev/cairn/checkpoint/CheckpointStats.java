package dev.cairn.checkpoint;

import java.net.URI;
import java.time.Duration;

/**
 * The figures of one checkpoint, logged at INFO in one line when it is verified.
 *
 * @param dataset    the dataset as shown in messages
 * @param location   the checkpoint directory
 * @param parts      part files
 * @param records    records in all parts
 * @param bytes      bytes in all parts
 * @param writeTime  from the start of the write (first part) to the commit of the manifest
 * @param verifyTime listing waits and post-write verification
 * @param listings   listings made while waiting for consistency
 */
public record CheckpointStats(String dataset, URI location, int parts, long records, long bytes, Duration writeTime,
                              Duration verifyTime, int listings) {

    /** One line for the log. */
    public String summary() {
        return String.format("Checkpointed %s to %s: %d parts, %d records, %s; written in %d ms, verified in %d ms (%d listing%s)",
                dataset, location, parts, records, humanBytes(bytes), writeTime.toMillis(), verifyTime.toMillis(), listings,
                listings == 1 ? "" : "s");
    }

    static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
