package dev.cairn.spark.streaming;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.spark.internal.JvmStorage;
import dev.cairn.spark.internal.SparkOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.PathFilter;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager;

/**
 * Spark Structured Streaming's checkpoint files (offsets, commits, the query's metadata, source
 * and sink logs, state store files) on Cairn's storage: {@code s3://} (Cairn's S3 client, no
 * Hadoop connector), {@code file://} (local disks and shared volumes: NFS, EFS, SMB/Azure Files
 * mounts) and {@code hdfs://} (and the other Hadoop file systems Cairn serves). Selected with
 *
 * <pre>
 * spark.sql.streaming.checkpointFileManagerClass=dev.cairn.spark.streaming.CairnCheckpointFileManager
 * </pre>
 *
 * <p>Spark makes one per checkpoint directory it uses, through the constructor
 * {@code (Path, Configuration)}, on the driver (logs) and on executors (state stores).
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li>{@link #createAtomic} writes straight to the storage, which keeps the bytes private
 *       until {@code close()} publishes the file whole (a link or rename of a temporary file on a
 *       file system, one PUT or a completed multipart upload on S3: no copy, no rename on S3).
 *       {@code close()} throws every failure of the upload; {@code cancel()} leaves nothing.</li>
 *   <li>Without overwrite, an existing file is never replaced: {@code close()} throws Hadoop's
 *       {@code FileAlreadyExistsException}, which Spark reports as several queries using one
 *       checkpoint location. Whether two writers racing for one name are told apart atomically
 *       depends on the store: {@link #noOverwrite()}, logged once per store.</li>
 *   <li>{@link #list} is complete on stores whose listings lag (see {@code CheckpointListing}):
 *       a restarted query finds its newest offsets and commits.</li>
 *   <li>{@link #open} of a missing file throws {@code FileNotFoundException};
 *       {@link #delete} of one does nothing; {@link #exists} is true for a file and for a
 *       directory that exists (on S3: a prefix that holds a file); a failure of the store is
 *       thrown, never reported as "missing".</li>
 * </ul>
 *
 * <h2>Options</h2>
 * Cairn's options ({@code cairn.s3.endpoint}, {@code cairn.checkpoint.listing.timeout}, …) come
 * from the Hadoop configuration Spark hands over, which holds the session's settings: set them
 * as {@code spark.cairn.<key>} (in the SparkConf or the session) or as
 * {@code spark.hadoop.cairn.<key>} (or in a Hadoop site file); {@code spark.cairn.<key>} wins.
 * For {@code hdfs://} and other Hadoop-served locations, the Hadoop settings themselves travel
 * too. Storage clients are shared by every manager of the JVM with the same options.
 *
 * <p>Deliberately not done: Spark's RocksDB state store copies its SST files with a Hadoop
 * {@code FileSystem}, not through this class, so on {@code s3://} use the default
 * (HDFS-backed) state store, or a Hadoop connector for the scheme.
 *
 * <p>Thread-safe.
 */
public final class CairnCheckpointFileManager implements CheckpointFileManager {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CairnCheckpointFileManager.class);
    private final Path root;
    private final Configuration hadoopConf;
    private final StorageRegistry storages;
    private final CheckpointListing listings;
    /** Whether this manager has looked up (and so logged) its store's {@link NoOverwrite} guarantee. */
    private volatile boolean guaranteeKnown;

    /**
     * The manager for checkpoint directory {@code path}, as Spark creates it. A path without a
     * scheme is taken as Spark takes it, against {@code fs.defaultFS}.
     *
     * @throws CairnException when no Cairn storage serves the path's scheme (the message lists
     *                        those that are served) or an option has a bad value
     */
    public CairnCheckpointFileManager(Path path, Configuration hadoopConf) {
        this.hadoopConf = hadoopConf;
        this.root = qualify(path, hadoopConf);
        CairnOptions options = SparkOptions.forHadoopConf(hadoopConf, root.toUri());
        this.storages = JvmStorage.registry(options);
        this.listings = new CheckpointListing();
        storages.storageFor(root.toUri()); // an unknown scheme fails here, where Spark sets up the query
    }

    /**
     * A file whose bytes stay private until the returned stream's {@code close()} publishes
     * them whole; {@code cancel()} discards them. With {@code overwriteIfPossible == false},
     * {@code close()} throws Hadoop's {@code FileAlreadyExistsException} when the file exists.
     */
    @Override
    public CheckpointFileManager.CancellableFSDataOutputStream createAtomic(Path path, boolean overwriteIfPossible) {
        URI file = uri(path);
        Storage storage = storage(file);
        StorageOutput output;
        try {
            output = storage.create(file, overwriteIfPossible);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return AtomicOutput.refused(file, HadoopErrors.alreadyExists(file, e));
        } catch (IOException e) {
            throw Unchecked.rethrow(e);
        }
        return AtomicOutput.writing(file, output, published -> {
            listings.published(storage, published);
            if (!overwriteIfPossible && !guaranteeKnown) {
                try {
                    // logged once per store; S3 stores are probed by their first create(), so known by now
                    guaranteeKnown = Guarantees.of(storage, published) != NoOverwrite.UNKNOWN;
                } catch (RuntimeException e) {
                    // only a log line is lost; the file is published and close() must say so
                    guaranteeKnown = true;
                    LOG.debug("Cannot tell how {} refuses overwrites", published, e);
                }
            }
        });
    }

    /**
     * Opens a file to read.
     *
     * @throws java.io.FileNotFoundException (undeclared, as Scala throws it) when there is no file
     */
    @Override
    public FSDataInputStream open(Path path) {
        URI file = uri(path);
        try {
            return new FSDataInputStream(new StorageInput(storage(file), file));
        } catch (IOException e) {
            throw Unchecked.rethrow(HadoopErrors.forSpark(e, "open", file));
        }
    }

    /**
     * The files and directories directly in {@code path} that {@code filter} accepts; empty for a
     * directory that does not exist; never a temporary file (a name starting with {@code .}). On
     * a store whose listings lag, completed as {@code CheckpointListing} describes.
     */
    @Override
    public org.apache.hadoop.fs.FileStatus[] list(Path path, PathFilter filter) {
        URI dir = uri(path);
        List<FileStatus> found;
        try {
            found = listings.list(storage(dir), dir);
        } catch (IOException e) {
            throw Unchecked.rethrow(e);
        }
        Path parent = path.toUri().getScheme() == null ? new Path(dir) : path;
        List<org.apache.hadoop.fs.FileStatus> out = new ArrayList<>();
        for (FileStatus s : found) {
            Path child = new Path(parent, s.name());
            if (filter.accept(child)) {
                out.add(new org.apache.hadoop.fs.FileStatus(s.length(), s.directory(), 1, 0, s.modified().toEpochMilli(), child));
            }
        }
        return out.toArray(new org.apache.hadoop.fs.FileStatus[0]);
    }

    /**
     * Makes the directory and its parents where the store has directories ({@code file://},
     * {@code hdfs://}); on object stores directories are implied by the files in them, and
     * Cairn's storages make parents when they publish a file anyway.
     */
    @Override
    public void mkdirs(Path path) {
        URI dir = uri(path);
        String scheme = dir.getScheme().toLowerCase(Locale.ROOT);
        try {
            if (scheme.equals("file")) {
                Files.createDirectories(java.nio.file.Path.of(URI.create(dir.toASCIIString())));
            } else if (hasHadoopFileSystem(scheme)) {
                new Path(dir).getFileSystem(hadoopConf).mkdirs(new Path(dir));
            }
        } catch (IOException e) {
            throw Unchecked.rethrow(e);
        }
    }

    private boolean hasHadoopFileSystem(String scheme) {
        if (scheme.equals("s3") || scheme.equals("memory")) {
            return false; // Cairn's own storages; a Hadoop file system for them would be another client
        }
        try {
            FileSystem.getFileSystemClass(scheme, hadoopConf);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Whether a file, or a directory (on S3: a prefix with files under it), is there. Store failures are thrown. */
    @Override
    public boolean exists(Path path) {
        URI file = uri(path);
        try {
            storage(file).stat(file);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw Unchecked.rethrow(e);
        }
    }

    /** Deletes a file, or a directory and everything in it; nothing happens when nothing is there. */
    @Override
    public void delete(Path path) {
        URI file = uri(path);
        try {
            storage(file).delete(file);
        } catch (IOException e) {
            throw Unchecked.rethrow(e);
        }
        listings.deleted(file);
    }

    /** Whether the checkpoint is on a local file system ({@code file://}). */
    @Override
    public boolean isLocal() {
        return "file".equalsIgnoreCase(root.toUri().getScheme());
    }

    /** Makes the checkpoint directory (see {@link #mkdirs}) and returns its qualified path. */
    @Override
    public Path createCheckpointDirectory() {
        mkdirs(root);
        return root;
    }

    /**
     * How this manager's store keeps a file published without overwrite from replacing an
     * existing one, as far as known now: {@code s3://} stores are probed on their first write.
     */
    public NoOverwrite noOverwrite() {
        return Guarantees.of(storage(root.toUri()), root.toUri());
    }

    /** The qualified checkpoint directory this manager was made for. */
    public Path root() {
        return root;
    }

    @Override
    public String toString() {
        return "CairnCheckpointFileManager[" + root + "]";
    }

    private Storage storage(URI location) {
        return storages.storageFor(location);
    }

    private URI uri(Path path) {
        return path.toUri().getScheme() == null ? qualify(path, hadoopConf).toUri() : path.toUri();
    }

    /** A path as Spark qualifies its own: one without a scheme against the default file system. */
    private static Path qualify(Path path, Configuration conf) {
        if (path.toUri().getScheme() != null) {
            return path;
        }
        try {
            return FileSystem.get(conf).makeQualified(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resolve checkpoint location: " + path + " (expected a path the default file"
                    + " system " + FileSystem.getDefaultUri(conf) + " resolves, found an error; give the location with a scheme,"
                    + " such as s3://bucket/checkpoint or file:///mnt/shared/checkpoint)", e);
        }
    }
}
