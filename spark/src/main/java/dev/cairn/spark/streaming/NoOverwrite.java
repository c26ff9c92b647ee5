package dev.cairn.spark.streaming;

/**
 * How a store keeps a checkpoint file from being replaced when Spark asks for a publish without
 * overwrite ({@code createAtomic(path, overwriteIfPossible = false)}: offsets, commits, the
 * query's {@code metadata}). Of two queries running on one checkpoint location by mistake, this is
 * what lets the second fail instead of replacing the first one's offsets.
 */
public enum NoOverwrite {
    /**
     * The store refuses to replace an existing file in the same step that publishes the new one:
     * a hard link on a file system ({@code file://}), HDFS's rename without overwrite, a PUT with
     * {@code If-None-Match: *} on an S3 store that enforces it (AWS S3 since August 2024, MinIO).
     * Of two writers racing for one name, exactly one wins; the other's {@code close()} throws.
     */
    ATOMIC,
    /**
     * The store is asked whether the file exists just before the file is published (a HEAD on S3
     * stores that ignore {@code If-None-Match}, a check and rename on mounts without hard links,
     * S3A). An existing file is never replaced by a later write, but two writers publishing the
     * same name within that moment may both succeed, the later one winning.
     */
    CHECKED,
    /**
     * Not known: an S3 store before its first write (its probe runs then), a store whose probe was
     * switched off ({@code cairn.s3.probe=false}), or a storage Cairn does not know.
     */
    UNKNOWN
}
