package dev.cairn.storage.hdfs;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonConfigurationKeysPublic;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.ParentNotDirectoryException;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.viewfs.ViewFileSystem;
import org.apache.hadoop.util.functional.FutureIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Storage} for one URI scheme served by a Hadoop {@code FileSystem}: {@code hdfs},
 * {@code viewfs}, {@code webhdfs}, {@code s3a}, or any other whose connector is on the class
 * path. Made by {@link HadoopStorageProvider}; no Hadoop type appears in its public methods.
 *
 * <p>Each authority ({@code hdfs://nn1:8020}, {@code s3a://bucket}) gets its own
 * {@code FileSystem} instance, made with {@code FileSystem.newInstance} on first use and closed
 * by {@link #close()}. The JVM-wide {@code FileSystem.get} cache is deliberately not used: a
 * cached instance is shared with the rest of the application, which may close it under us, and
 * closing it here would break the application's own users of it. A URI without an authority
 * ({@code hdfs:///ckpt}) goes to {@code fs.defaultFS} when that has the same scheme.
 *
 * <h2>How a file is published</h2>
 * <b>By rename</b> (every scheme not in {@code cairn.hdfs.direct-write-schemes}: HDFS, viewfs,
 * webhdfs). {@link #create} opens a hidden temporary file next to the target,
 * {@code .<name>.<16 hex digits>.tmp}, which listings may show while the write is in progress
 * and which never looks like a part file. {@link StorageOutput#commit()} then
 * <ol>
 *   <li>syncs, as {@code cairn.hdfs.sync} says: with {@code hsync} (the default) the file was
 *       created with {@code CreateFlag.SYNC_BLOCK}, so each DataNode forces every block of it
 *       to disk as the block is finished, and {@code hsync()} forces the last one now;
 *       {@code hflush} only waits until every DataNode of the pipeline holds the bytes in
 *       memory, which a successful {@code close()} on HDFS ensures anyway; {@code none} does
 *       nothing. Streams that cannot sync (webhdfs) skip this step. (On viewfs the parent
 *       directories are made first and the file created with {@code createNonRecursive},
 *       because {@code ViewFileSystem.create} drops creation flags such as
 *       {@code SYNC_BLOCK} on the way to the mounted file system);</li>
 *   <li>closes the stream, which completes the file at the NameNode once the minimum number of
 *       replicas ({@code dfs.namenode.replication.min}) holds every block;</li>
 *   <li>renames the temporary file to the target with {@code FileUtil.rename(fs, src, dst,
 *       Options.Rename)}, Hadoop's rename with options, rather than the two-argument
 *       {@code FileSystem.rename}, which signals an existing target only by returning
 *       {@code false} and moves the source <em>into</em> the target when that is a directory.
 *       On HDFS and webhdfs the rename with options is the NameNode's {@code rename2}: one
 *       atomic step that, with {@code Rename.NONE} ({@code overwrite == false}), fails with
 *       {@code FileAlreadyExistsException} if the target exists, so of two racing writers
 *       exactly one wins and an existing file is never replaced; with
 *       {@code Rename.OVERWRITE} it replaces the target atomically. {@code ViewFileSystem}
 *       has no rename with options (Hadoop's fallback checks and then renames), so for viewfs
 *       the temporary file is resolved to its mount target ({@code resolvePath}) and renamed
 *       there, atomically when that is HDFS. Should any file system's rename fail for another
 *       reason while the target exists, the failure is reported as
 *       {@link FileAlreadyExistsException} too.</li>
 * </ol>
 * A failed commit, or {@code close()} without one, closes the stream and deletes the
 * temporary file. A commit on an interrupted thread (a task the engine cancelled) publishes
 * nothing, and deletes a file that got published while the interrupt came (both modes). A process that dies mid-write leaves its temporary file behind, open until
 * the NameNode's lease recovery closes it; it never shows under the target's name, does not
 * block a later commit, and goes with a {@link #delete} of its directory.
 *
 * <p><b>Directly</b> (schemes in {@code cairn.hdfs.direct-write-schemes}, default
 * {@code s3a}): on object stores a rename is a copy of every byte, so the file is written to
 * its final name. S3A shows nothing under that name until {@code close()} has finished the
 * upload (one PUT, or a completed multipart upload), so a commit is that {@code close()};
 * {@code close()} without a commit aborts the upload with {@code Abortable.abort()}, and
 * nothing is ever visible. A scheme is only written directly if its streams can abort
 * ({@code fs.capability.outputstream.abortable}); otherwise {@link #create} fails and says so.
 * Without overwrite, S3A checks for the target when the file is created and this storage
 * checks again at commit, but S3A 3.4.1 has no conditional PUT: two writers racing for one
 * missing name may both succeed, the later upload winning. Cairn's checkpoint engine does not
 * race for names (each checkpoint directory belongs to one context), so that is documented,
 * not fixed.
 *
 * <h2>Consistency</h2>
 * HDFS, webhdfs and viewfs list from the NameNode: strong. For {@code s3a} the option
 * {@code cairn.hdfs.s3a.listing.consistency} decides what {@link #listing()} reports,
 * {@link ListingConsistency#EVENTUAL eventual} by default so that readers poll, as the native
 * S3 backend does. {@link StorageCapabilities#atomicRename()} is {@code true} when publishing
 * by rename.
 *
 * <p>Errors: a missing file is {@link NoSuchFileException}, a commit that would replace a file
 * is {@link FileAlreadyExistsException}, a file standing where a directory must be is a
 * {@link FileSystemException}; anything else is an {@link IOException} naming the URI, with
 * Hadoop's exception as the cause. A URI of another scheme is a caller bug and fails with
 * {@link IllegalArgumentException}.
 *
 * <p>Thread-safe; each output belongs to one thread.
 */
public final class HadoopStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(HadoopStorage.class);
    // HDFS limits a name to 255 bytes (dfs.namenode.fs-limits.max-component-length); leave room
    // for the dot, the random part and the suffix around the target's name.
    private static final int MAX_NAME_BYTES_IN_TEMP = 200;
    // StreamCapabilities.HFLUSH is deprecated in Hadoop 3.4 (hsync implies it), but streams
    // that can hflush and not hsync still answer to this name.
    private static final String HFLUSH_CAPABILITY = "hflush";
    private static final Pattern TEMP_NAME = Pattern.compile("\\..*\\.[0-9a-f]{16}\\.tmp", Pattern.DOTALL);

    private final String scheme;
    private final Configuration conf;
    private final HadoopSettings settings;
    private final ListingConsistency listing;
    // "scheme://authority" -> instance; holds the mount targets of viewfs too.
    private final Map<String, FileSystem> fileSystems = new ConcurrentHashMap<>();
    private final Map<String, Boolean> abortable = new ConcurrentHashMap<>();
    private volatile boolean closed;

    HadoopStorage(String scheme, Configuration conf, HadoopSettings settings) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.conf = Objects.requireNonNull(conf, "conf");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listing = settings.listing();
    }

    /** The scheme this storage serves, such as {@code hdfs}. */
    public String scheme() {
        return scheme;
    }

    /**
     * Whether commits publish by renaming a temporary file ({@code true}) or write the final
     * name directly ({@code false}).
     */
    public boolean publishesByRename() {
        return settings.publish() == HadoopSettings.Publish.RENAME;
    }

    /** What a commit forces to disk before publishing: {@code hsync}, {@code hflush} or {@code none}. */
    public String syncOnCommit() {
        return settings.sync().name().toLowerCase(Locale.ROOT);
    }

    /** The configured listing consistency; whether publishing is by rename. */
    @Override
    public ListingConsistency listing() {
        return listing;
    }

    /**
     * Opens a file for a sequential read of the whole of it.
     *
     * @throws NoSuchFileException if no file is there (a directory is not a file)
     */
    @Override
    public InputStream open(URI file) throws IOException {
        Path path = toPath(file, "open file");
        checkOpen("open file", file);
        FileSystem fs = fileSystem(path, "open file", file);
        try {
            // openFile() lets object stores skip the random-IO heuristics and stream one GET.
            return FutureIO.awaitFuture(fs.openFile(path)
                    .opt(Options.OpenFileOptions.FS_OPTION_OPENFILE_READ_POLICY, "whole-file, sequential")
                    .build());
        } catch (IOException e) {
            throw translate(e, "open file", file);
        }
    }

    /**
     * Starts a file: a hidden temporary file next to {@code file}, or {@code file} itself on
     * direct-write schemes; see the class javadoc for how the commit publishes it.
     *
     * @throws FileAlreadyExistsException if {@code overwrite} is {@code false} and the file
     *                                    exists (the commit checks again)
     */
    @Override
    public StorageOutput create(URI file, boolean overwrite) throws IOException {
        Path target = toPath(file, "create file");
        checkOpen("create file", file);
        if (target.getParent() == null) {
            throw new FileSystemException(null, null, "Cannot create file: " + file
                    + " (expected a path below a directory, found the root)");
        }
        FileSystem fs = fileSystem(target, "create file", file);
        if (!overwrite && exists(fs, target, "create file", file)) {
            throw alreadyExists("create file", file, null);
        }
        if (settings.publish() == HadoopSettings.Publish.DIRECT) {
            boolean abortable;
            try {
                abortable = canAbort(fs, target);
            } catch (IOException e) {
                throw translate(e, "create file", file);
            }
            if (!abortable) {
                throw new DescribedIOException("Cannot create file: " + file + " (expected a file system whose output streams can abort"
                        + " an upload, for direct writes, found " + fs.getClass().getName() + " which cannot; remove '" + scheme
                        + "' from " + HadoopStorageProvider.DIRECT_WRITE_SCHEMES + " to publish by rename)");
            }
            try {
                // Plain create(): object stores have no blocks to sync, and S3A checks the target itself.
                return new DirectOutput(file, fs, target, fs.create(target, overwrite), overwrite);
            } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
                throw alreadyExists("create file", file, e); // appeared since the check above, or a directory is there
            } catch (IOException e) {
                throw translate(e, "create file", file);
            }
        }
        Path temp = new Path(target.getParent(), temporaryName(target.getName()));
        try {
            return new RenamingOutput(file, fs, target, temp, createTemporary(fs, temp), overwrite);
        } catch (ParentNotDirectoryException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
            // The temporary name is new, so what exists is a file where a parent directory must be.
            FileSystemException f = new FileSystemException(null, null, "Cannot create file: " + file
                    + " (expected a directory above it, found a file: " + e.getMessage() + "; delete it or pick another location)");
            f.initCause(e);
            throw f;
        } catch (IOException e) {
            throw translate(e, "create file", file);
        }
    }

    /**
     * The status of a file or directory.
     *
     * @throws NoSuchFileException if nothing is there
     */
    @Override
    public FileStatus stat(URI file) throws IOException {
        Path path = toPath(file, "stat file");
        checkOpen("stat file", file);
        FileSystem fs = fileSystem(path, "stat file", file);
        try {
            return status(withoutTrailingSlash(file), fs.getFileStatus(path));
        } catch (IOException e) {
            throw translate(e, "stat file", file);
        }
    }

    /**
     * The entries of a directory, including hidden temporary files of writes in progress. A
     * missing directory, or a path that is a file, lists as empty. Locations are
     * {@code directory}'s scheme and authority as given, plus the child's name, percent-encoded.
     */
    @Override
    public List<FileStatus> list(URI directory) throws IOException {
        Path dir = toPath(directory, "list directory");
        checkOpen("list directory", directory);
        FileSystem fs = fileSystem(dir, "list directory", directory);
        org.apache.hadoop.fs.FileStatus[] entries;
        try {
            entries = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return List.of();
        } catch (IOException e) {
            throw translate(e, "list directory", directory);
        }
        String dirPath = dir.toUri().getPath();
        List<FileStatus> children = new ArrayList<>(entries.length);
        for (org.apache.hadoop.fs.FileStatus entry : entries) {
            if (entries.length == 1 && entry.isFile() && entry.getPath().toUri().getPath().equals(dirPath)) {
                return List.of(); // Hadoop lists a file as itself; the contract says a file lists as empty
            }
            children.add(status(child(directory, entry.getPath().getName()), entry));
        }
        return children;
    }

    /**
     * Deletes a file, or a directory and everything under it (bypassing the HDFS trash, as
     * {@code FileSystem.delete} does). Succeeds when nothing is there.
     */
    @Override
    public void delete(URI fileOrDirectory) throws IOException {
        Path path = toPath(fileOrDirectory, "delete");
        checkOpen("delete", fileOrDirectory);
        FileSystem fs = fileSystem(path, "delete", fileOrDirectory);
        try {
            fs.delete(path, true); // false means nothing was there: fine
        } catch (FileNotFoundException e) {
            // Gone meanwhile: fine too.
        } catch (IOException e) {
            throw translate(e, "delete", fileOrDirectory);
        }
    }

    /** Closes every {@code FileSystem} instance this storage made; the first failure is thrown after all were tried. */
    @Override
    public void close() throws IOException {
        List<FileSystem> toClose;
        synchronized (fileSystems) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(fileSystems.values());
            fileSystems.clear();
        }
        IOException failure = null;
        for (FileSystem fs : toClose) {
            try {
                fs.close();
            } catch (IOException | RuntimeException e) {
                if (failure == null) {
                    failure = new DescribedIOException("Cannot close storage for scheme " + scheme + ": " + fs.getUri()
                            + " (expected the file system to close, found an error: " + e + ")", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "HadoopStorage[" + scheme + ", publish " + settings.publish().name().toLowerCase(Locale.ROOT) + ", sync "
                + syncOnCommit() + ", listing " + settings.listing().name().toLowerCase(Locale.ROOT) + "]";
    }

    // ---------------------------------------------------------------- file systems

    private FileSystem fileSystem(Path path, String what, URI location) throws IOException {
        URI uri = path.toUri();
        return fileSystem(uri.getScheme(), uri.getAuthority(), what, location);
    }

    private FileSystem fileSystem(String fsScheme, String authority, String what, URI location) throws IOException {
        String key = fsScheme + "://" + (authority == null ? "" : authority);
        FileSystem fs = fileSystems.get(key);
        if (fs != null) {
            return fs;
        }
        synchronized (fileSystems) {
            checkOpen(what, location);
            fs = fileSystems.get(key);
            if (fs == null) {
                URI root;
                try {
                    root = new URI(fsScheme, authority, "/", null, null);
                } catch (URISyntaxException e) {
                    throw new IllegalArgumentException("Cannot " + what + ": " + location + " (expected a valid authority, found '"
                            + authority + "')", e);
                }
                try {
                    fs = FileSystem.newInstance(root, conf);
                } catch (IOException | RuntimeException e) {
                    throw new DescribedIOException("Cannot " + what + ": " + location + " (expected a Hadoop file system for " + root
                            + ", found an error: " + e + "; check that the connector for '" + fsScheme
                            + "' is on the class path and that the Hadoop configuration names the cluster)", e);
                }
                fileSystems.put(key, fs);
                LOG.debug("Opened {} for {}", fs.getClass().getName(), root);
            }
            return fs;
        }
    }

    private boolean canAbort(FileSystem fs, Path target) throws IOException {
        String key = fs.getUri().toString();
        Boolean can = abortable.get(key);
        if (can == null) {
            can = fs.hasPathCapability(target, CommonPathCapabilities.ABORTABLE_STREAM);
            abortable.put(key, can);
        }
        return can;
    }

    private FSDataOutputStream createTemporary(FileSystem fs, Path temp) throws IOException {
        EnumSet<CreateFlag> flags = EnumSet.of(CreateFlag.CREATE);
        if (settings.sync() == HadoopSettings.Sync.HSYNC) {
            flags.add(CreateFlag.SYNC_BLOCK);
        }
        int buffer = conf.getInt(CommonConfigurationKeysPublic.IO_FILE_BUFFER_SIZE_KEY,
                CommonConfigurationKeysPublic.IO_FILE_BUFFER_SIZE_DEFAULT);
        short replication = fs.getDefaultReplication(temp);
        long blockSize = fs.getDefaultBlockSize(temp);
        if (fs instanceof ViewFileSystem) {
            // ViewFileSystem's create() with flags drops them on the way to the mounted file
            // system; createNonRecursive() passes them on, so make the parents first.
            fs.mkdirs(temp.getParent());
            return fs.createNonRecursive(temp, FsPermission.getFileDefault(), flags, buffer, replication, blockSize, null);
        }
        // Creates missing parents; the permission is masked with fs.permissions.umask-mode.
        return fs.create(temp, FsPermission.getFileDefault(), flags, buffer, replication, blockSize, null);
    }

    /** Renames {@code temp} to {@code target} in one step; see the class javadoc. */
    private void rename(FileSystem fs, Path temp, Path target, boolean overwrite, URI file) throws IOException {
        FileSystem renamer = fs;
        Path src = temp;
        Path dst = target;
        if (fs instanceof ViewFileSystem) {
            src = fs.resolvePath(temp);
            dst = new Path(src.getParent(), target.getName());
            renamer = fileSystem(src.toUri().getScheme(), src.toUri().getAuthority(), "commit file", file);
        }
        try {
            FileUtil.rename(renamer, src, dst, overwrite ? Options.Rename.OVERWRITE : Options.Rename.NONE);
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            throw alreadyExists("commit file", file, e);
        } catch (IOException e) {
            // File systems without an atomic rename-with-options fall back to check-then-rename
            // and report a target that appeared meanwhile as a plain failure.
            if (!overwrite && exists(renamer, dst, "commit file", file)) {
                throw alreadyExists("commit file", file, e);
            }
            throw e;
        }
    }

    private boolean exists(FileSystem fs, Path path, String what, URI location) throws IOException {
        try {
            fs.getFileStatus(path);
            return true;
        } catch (FileNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw translate(e, what, location);
        }
    }

    // ---------------------------------------------------------------- names and URIs

    /**
     * Whether {@code name} has the form of this backend's temporary files,
     * {@code .<name>.<16 hex digits>.tmp}.
     */
    static boolean isTemporaryName(String name) {
        return TEMP_NAME.matcher(name).matches();
    }

    static String temporaryName(String targetName) {
        String name = targetName;
        while (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES_IN_TEMP) {
            int cut = name.length() - 1;
            if (cut > 0 && Character.isLowSurrogate(name.charAt(cut))) {
                cut--; // never split a surrogate pair into an unencodable half
            }
            name = name.substring(0, cut);
        }
        return "." + name + "." + String.format("%016x", ThreadLocalRandom.current().nextLong()) + ".tmp";
    }

    /**
     * The Hadoop path of a URI of this scheme. Hadoop paths are made from the decoded path, so
     * {@code %20}, {@code %25} and UTF-8 escapes name the characters they encode.
     */
    private Path toPath(URI uri, String what) {
        Objects.requireNonNull(uri, "uri");
        if (!scheme.equalsIgnoreCase(uri.getScheme()) || uri.isOpaque()) {
            throw new IllegalArgumentException("Cannot " + what + ": " + uri + " (expected a " + scheme + ":// URI, found "
                    + (uri.getScheme() == null ? "no scheme" : "scheme " + uri.getScheme()) + ")");
        }
        String path = uri.getPath();
        if (path == null || path.isEmpty()) {
            path = "/";
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("Cannot " + what + ": " + uri + " (expected an absolute path, found '" + path + "')");
        }
        try {
            return new Path(scheme, uri.getAuthority(), path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Cannot " + what + ": " + uri + " (expected a path Hadoop accepts, found: "
                    + e.getMessage() + ")", e);
        }
    }

    private static URI withoutTrailingSlash(URI uri) {
        String path = uri.getPath();
        if (path != null && path.length() > 1 && path.endsWith("/")) {
            return build(uri, path.substring(0, path.length() - 1));
        }
        return uri;
    }

    /** {@code directory/name}, percent-encoded as ASCII. */
    private static URI child(URI directory, String name) {
        String path = directory.getPath() == null || directory.getPath().isEmpty() ? "/" : directory.getPath();
        return build(directory, path.endsWith("/") ? path + name : path + "/" + name);
    }

    private static URI build(URI like, String decodedPath) {
        try {
            // An empty authority keeps the "//" of hdfs:///path; parsing it back yields no authority.
            URI uri = new URI(like.getScheme(), like.getAuthority() == null ? "" : like.getAuthority(), decodedPath, null, null);
            return URI.create(uri.toASCIIString());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Cannot build URI of " + like + " and " + decodedPath, e);
        }
    }

    private static FileStatus status(URI location, org.apache.hadoop.fs.FileStatus s) {
        boolean directory = s.isDirectory();
        long modified = Math.max(0, s.getModificationTime());
        return new FileStatus(location, directory ? 0 : s.getLen(), directory, Instant.ofEpochMilli(modified));
    }

    // ---------------------------------------------------------------- errors

    private void checkOpen(String what, URI location) throws IOException {
        if (closed) {
            throw new DescribedIOException("Cannot " + what + ": " + location
                    + " (expected an open storage, found it closed; open a new one from the provider)");
        }
    }

    /** Hadoop's exceptions in the {@link Storage} contract's types, with the URI in the message. */
    private static IOException translate(IOException e, String what, URI location) {
        if (e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException) {
            return e; // already ours
        }
        if (e instanceof FileNotFoundException) {
            NoSuchFileException n = new NoSuchFileException(null, null, "Cannot " + what + ": " + location
                    + " (expected a file, found nothing there: " + e.getMessage() + ")");
            n.initCause(e);
            return n;
        }
        if (e instanceof org.apache.hadoop.fs.FileAlreadyExistsException && what.equals("commit file")) {
            return alreadyExists(what, location, e);
        }
        if (e instanceof ParentNotDirectoryException) {
            FileSystemException f = new FileSystemException(null, null, "Cannot " + what + ": " + location
                    + " (expected a directory above it, found a file: " + e.getMessage() + "; delete it or pick another location)");
            f.initCause(e);
            return f;
        }
        if (e instanceof DescribedIOException || e instanceof FileSystemException) {
            return e; // ours already, from a nested call
        }
        if (e instanceof InterruptedIOException) {
            if (e.getMessage() != null && e.getMessage().startsWith("Cannot ")) {
                return e; // ours, from checkNotInterrupted
            }
            // Keep the type: callers tell a cancelled task from a failed one by it.
            InterruptedIOException i = new InterruptedIOException("Cannot " + what + ": " + location
                    + " (expected the file system to answer, found the thread interrupted: " + e.getMessage() + ")");
            i.initCause(e);
            return i;
        }
        return new DescribedIOException("Cannot " + what + ": " + location + " (expected the file system to answer, found an error: "
                + e + ")", e);
    }

    private static FileAlreadyExistsException alreadyExists(String what, URI file, Throwable cause) {
        FileAlreadyExistsException e = new FileAlreadyExistsException(null, null, "Cannot " + what + ": " + file
                + " (expected no file there, found one; pass overwrite=true to replace it)");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private static void suppressing(Throwable failure, IoAction action) {
        try {
            action.run();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** An {@link IOException} whose message already names the operation and the URI. */
    private static final class DescribedIOException extends IOException {
        private static final long serialVersionUID = 1L;

        DescribedIOException(String message) {
            super(message);
        }

        DescribedIOException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    // ---------------------------------------------------------------- outputs

    /** What the two ways of publishing share (the life cycle is {@link StorageOutput}'s): subclasses publish and remove. */
    private abstract class HadoopOutput extends StorageOutput {
        final URI file;
        final FileSystem fs;
        final Path target;
        final FSDataOutputStream out;
        final boolean overwrite;
        boolean streamClosed;

        HadoopOutput(URI file, FileSystem fs, Path target, FSDataOutputStream out, boolean overwrite) {
            super(file);
            this.file = file;
            this.fs = fs;
            this.target = target;
            this.out = out;
            this.overwrite = overwrite;
        }

        @Override
        protected void writeByte(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw translate(e, "write file", file);
            }
        }

        @Override
        protected void writeBytes(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw translate(e, "write file", file);
            }
        }

        @Override
        protected void flushBytes() throws IOException {
            out.flush();
        }

        @Override
        protected void publish() throws IOException {
            checkOpen("commit file", file);
            try {
                publishFile();
            } catch (IOException e) {
                throw translate(e, "commit file", file);
            }
            if (Thread.currentThread().isInterrupted()) {
                // Cancelled while publishing (S3A even swallows the interrupt and returns from
                // close() while its upload thread finishes the PUT): take the file back and
                // fail, so that a cancelled task leaves nothing on the store.
                withdrawUninterrupted();
                throw new InterruptedIOException("Cannot commit file: " + file + " (expected a running task, found its"
                        + " thread interrupted while the file was being published; it was deleted again)");
            }
        }

        /**
         * Refuses to publish on an interrupted thread, at the last moment before the step that
         * publishes (the base class checked already before the commit started).
         */
        void checkNotInterrupted() throws IOException {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("Cannot commit file: " + file + " (expected a running task, found its thread"
                        + " interrupted: the job was cancelled; nothing was published)");
            }
        }

        private void withdrawUninterrupted() throws IOException {
            boolean interrupted = Thread.interrupted();
            try {
                fs.delete(target, false);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        protected void discard() throws IOException {
            IOException failure = new DescribedIOException("Cannot discard file: " + file
                    + " (expected to remove what was written, found an error; see the suppressed exceptions)");
            removeTraces(failure);
            if (failure.getSuppressed().length > 0) {
                throw failure;
            }
        }

        void sync() throws IOException {
            switch (settings.sync()) {
                case HSYNC:
                    if (out.hasCapability(StreamCapabilities.HSYNC)) {
                        out.hsync();
                    }
                    break;
                case HFLUSH:
                    if (out.hasCapability(HFLUSH_CAPABILITY)) {
                        out.hflush();
                    }
                    break;
                default:
                    break;
            }
        }

        /** Closes the stream once; the caller deals with what that published. */
        void closeStream() throws IOException {
            streamClosed = true; // once, whatever close() does: a failed close is not retried
            out.close();
        }

        /** Makes the file visible under its final name. */
        abstract void publishFile() throws IOException;

        /** Removes every trace of the write; failures are added to {@code failure} as suppressed. */
        abstract void removeTraces(Throwable failure);
    }

    /** Writes a hidden temporary file and renames it to the target on commit. */
    private final class RenamingOutput extends HadoopOutput {
        private final Path temp;

        RenamingOutput(URI file, FileSystem fs, Path target, Path temp, FSDataOutputStream out, boolean overwrite) {
            super(file, fs, target, out, overwrite);
            this.temp = temp;
        }

        @Override
        void publishFile() throws IOException {
            sync();
            closeStream(); // completes the file at the NameNode: every block has its minimum replicas
            checkNotInterrupted(); // the rename is what publishes: the last moment to back out
            rename(fs, temp, target, overwrite, file);
        }

        @Override
        void removeTraces(Throwable failure) {
            if (!streamClosed) {
                // Completes the temporary file only to delete it; HDFS streams have no abort.
                suppressing(failure, this::closeStream);
            }
            suppressing(failure, () -> fs.delete(temp, false));
        }
    }

    /** Writes the target itself; the stream's close() publishes, abort() discards. */
    private final class DirectOutput extends HadoopOutput {
        DirectOutput(URI file, FileSystem fs, Path target, FSDataOutputStream out, boolean overwrite) {
            super(file, fs, target, out, overwrite);
        }

        @Override
        void publishFile() throws IOException {
            if (!overwrite && exists(fs, target, "commit file", file)) {
                throw alreadyExists("commit file", file, null);
            }
            sync();
            closeStream(); // the upload completes here, and the object appears whole
        }

        @Override
        void removeTraces(Throwable failure) {
            if (!streamClosed) {
                streamClosed = true;
                try {
                    out.abort();
                } catch (RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
            // After a failed close() the stream has aborted the upload itself: nothing to remove.
        }
    }
}
