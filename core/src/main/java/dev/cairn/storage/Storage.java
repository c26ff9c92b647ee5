package dev.cairn.storage;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;

/**
 * One storage backend, as Cairn's checkpoint engine sees it: a tree of immutable files named by
 * absolute URIs. The checkpoint commit protocol lives in core; a backend only has to keep the
 * contract written on each method.
 *
 * <h2>Data persistence contract</h2>
 * <ul>
 *   <li>A file written through {@link #create} becomes visible to {@link #open} and
 *       {@link #stat} of any process, all at once and whole, when {@link StorageOutput#commit()}
 *       returns. Before that, no reader sees it under its final name, partly or at all.</li>
 *   <li>{@link #list} may lag behind commits when {@link #listing()} is
 *       {@link ListingConsistency#EVENTUAL}: a committed file may be missing from a listing,
 *       or shown with an old size, for a while. Core polls in that case; backends do not.</li>
 *   <li>Failures throw {@link IOException}: {@link java.nio.file.NoSuchFileException} for a
 *       missing file, {@link java.nio.file.FileAlreadyExistsException} when a commit would
 *       overwrite without being asked to. Nothing returns {@code false} to mean failure.</li>
 * </ul>
 *
 * <h2>Thread safety</h2>
 * A {@code Storage} is shared by all tasks of a context and must be safe for concurrent use;
 * the streams it returns belong to one thread each.
 *
 * <p>Deliberately left out: renames, appends, random access and directories as first-class
 * objects. Checkpoints need none of them, and object stores have none of them cheaply.
 */
public interface Storage extends AutoCloseable {

    /**
     * Whether listings show committed files at once ({@link ListingConsistency#STRONG}, the
     * default) or may lag behind commits ({@link ListingConsistency#EVENTUAL}: readers then poll).
     * Constant for the life of the instance.
     */
    default ListingConsistency listing() {
        return ListingConsistency.STRONG;
    }

    /**
     * Whether a read of a file that this instance has just committed may be served from the
     * writer's own copy of the bytes (this machine's page cache for a local or mounted file
     * system, this JVM's heap for {@code memory://}) rather than from an independent copy (another
     * server, replica or medium, as on S3 or HDFS). When it may, reading a part back right after
     * its commit finds the bytes the writer handed over, whose CRC32C the writer has just
     * computed, and cannot see what the medium later does to them: {@code cairn.checkpoint.verify=auto}
     * then checks the listed sizes only and leaves the CRC32C to every later read. {@code false}
     * by default, the safe answer for a store Cairn does not know. Constant for the life of the
     * instance.
     */
    default boolean readsBackFromWriterCache() {
        return false;
    }

    /**
     * Opens a committed file for reading from its start.
     *
     * @throws java.nio.file.NoSuchFileException if no committed file has that name
     */
    InputStream open(URI file) throws IOException;

    /**
     * Starts writing a file. Nothing is visible until {@link StorageOutput#commit()}; closing
     * the output without committing discards everything written. Missing parent directories
     * are created as needed.
     *
     * @param overwrite whether the commit may replace an existing file; when {@code false} and
     *                  the file exists, this call or the commit fails with
     *                  {@link java.nio.file.FileAlreadyExistsException} (which one depends on
     *                  the backend; the file is never replaced, and when two outputs for
     *                  one missing file race, exactly one commit wins)
     */
    StorageOutput create(URI file, boolean overwrite) throws IOException;

    /**
     * The status of one file.
     *
     * @throws java.nio.file.NoSuchFileException if nothing is there
     */
    FileStatus stat(URI file) throws IOException;

    /**
     * The direct children of a directory (or, on object stores, of a prefix followed by
     * {@code /}), files and sub-directories, in no particular order. A directory that does
     * not exist lists as empty: object stores cannot tell the two apart, so neither does the
     * contract. Temporary files of writes in progress may be listed, under names starting with
     * {@code .} or {@code _} so they never look like part files; callers judge files by name,
     * never by count.
     */
    List<FileStatus> list(URI directory) throws IOException;

    /**
     * A stretch of {@link #list}: the direct children whose names sort after {@code startAfter}
     * (from the first, when {@code null}) up to at least {@code through} (to the end, when
     * {@code null}), names compared as Java strings (for the ASCII names Cairn writes, the byte
     * order object stores list in). An implementation may return more than asked for, but never
     * less: a store that lists in pages stops fetching pages once a page reaches {@code through}.
     * The listing waiter uses it to list again only where files were still missing, instead of a
     * whole directory of 10,000 parts on every poll.
     *
     * <p>The default lists the whole directory and keeps the names in the range.
     */
    default List<FileStatus> listRange(URI directory, String startAfter, String through) throws IOException {
        List<FileStatus> out = new java.util.ArrayList<>();
        for (FileStatus f : list(directory)) {
            String name = f.name();
            if ((startAfter == null || name.compareTo(startAfter) > 0) && (through == null || name.compareTo(through) <= 0)) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * Deletes a file, or a directory and everything under it. Succeeds when nothing is
     * there. Not atomic: a failure may leave part of the tree behind.
     */
    void delete(URI fileOrDirectory) throws IOException;

    /** Releases clients, pools and caches; the instance is unusable afterwards. Nothing by default. */
    @Override
    default void close() throws IOException {
    }
}
