package dev.cairn.storage.local;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code file://} backend: a directory tree on a local disk or a mounted network file
 * system. URIs are what {@link Path#toUri()} makes ({@code file:///tmp/my%20ckpt/part-00000});
 * they are turned back into paths with {@link Path#of(URI)}, so spaces and non-ASCII names
 * work when percent-encoded as UTF-8 (non-ASCII left unencoded is accepted too).
 *
 * <h2>How a file is published</h2>
 * {@link #create} makes the missing parent directories and opens a temporary file in the
 * target's own directory, named {@code .<name>.<16 hex digits>.tmp}: hidden, so it never looks
 * like a part file, and in the same directory, so publishing is a rename or link within one
 * file system. {@link StorageOutput#commit()} then
 * <ol>
 *   <li>flushes the file and, with fsync on, forces it to disk (so the name can never point
 *       at a file whose bytes were lost in a crash);</li>
 *   <li>publishes it:
 *     <ul>
 *       <li>{@code overwrite == true}: {@link Files#move} with {@code ATOMIC_MOVE}, that is
 *           {@code rename(2)}, which replaces the target atomically;</li>
 *       <li>{@code overwrite == false}: {@link Files#createLink} of the target to the
 *           temporary file, then removal of the temporary name. {@code link(2)} fails with
 *           {@code EEXIST} if the target exists, in one step, so two writers can never both
 *           win and an existing file is never replaced. A rename cannot give this on Linux:
 *           {@code ATOMIC_MOVE} replaces silently, and a move without it checks for the target
 *           and then renames, leaving a window in which a racing writer's file is
 *           overwritten. (Linux's {@code renameat2(RENAME_NOREPLACE)} would do it in one
 *           call but is not reachable from Java 17.) Where hard links are not supported
 *           (FAT, exFAT, some SMB and FUSE mounts) this falls back to that check-then-rename
 *           move: still atomic for readers, but two racing writers of one name may both
 *           succeed, the later one winning;</li>
 *     </ul></li>
 *   <li>with fsync on, forces the directory, so the new name survives a crash too. Directories
 *       made by {@code create} are forced the same way, up to the first one that existed.</li>
 * </ol>
 * A commit that fails removes the temporary file and does not leave the new file visible
 * (should the directory sync fail after publishing, the new file is deleted again); closing
 * without commit removes the temporary file. A process
 * that dies mid-write leaves its hidden temporary file behind; it is never reported as the
 * target by {@link #stat} or {@link #open}, does not block a later commit, and shows up in
 * {@link #list} under its hidden name until a {@link #delete} of the directory removes it.
 *
 * <h2>Consistency</h2>
 * On a local disk, listings are strong. A network mount's client may cache directory listings
 * for seconds, so {@link #listing()} reports what the user configured
 * ({@code cairn.local.listing.consistency}); this backend never delays anything itself.
 *
 * <p>A URI of another scheme, with an authority ({@code file://host/share}) or otherwise not
 * a path is a caller bug and fails with {@link IllegalArgumentException}; everything else
 * throws {@link IOException} as the {@link Storage} contract says.
 *
 * <p>Thread-safe; holds no open resources between calls, so {@link #close()} only marks the
 * instance unusable.
 */
public final class LocalStorage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStorage.class);
    private static final int BUFFER = 64 * 1024;
    // File names are limited to 255 bytes on most file systems; leave room for the dot, the
    // random part and the suffix around the target's name inside a temporary name.
    private static final int MAX_NAME_BYTES_IN_TEMP = 200;
    private static final Pattern TEMP_NAME = Pattern.compile("\\..*\\.[0-9a-f]{16}\\.tmp", Pattern.DOTALL);
    private static final boolean WINDOWS =
            System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private final boolean fsync;
    private final ListingConsistency listing;
    private volatile boolean closed;

    /** A storage with fsync on and strong listings: the defaults for a local disk. */
    public LocalStorage() {
        this(true, ListingConsistency.STRONG);
    }

    /**
     * A storage with the given settings.
     *
     * @param fsync   whether commits force file and directory to disk (see the class javadoc)
     * @param listing what {@link #listing()} reports: {@link ListingConsistency#EVENTUAL}
     *                for network mounts whose clients cache listings
     */
    public LocalStorage(boolean fsync, ListingConsistency listing) {
        this.fsync = fsync;
        this.listing = Objects.requireNonNull(listing, "listing");
    }

    /** Whether commits force file and directory to disk. */
    public boolean fsync() {
        return fsync;
    }

    /**
     * {@code true}: a file read right after its commit comes from this machine's page cache (on an
     * NFS, EFS or SMB mount, from the client's cache), not from the disk or the server.
     */
    @Override
    public boolean readsBackFromWriterCache() {
        return true;
    }

    /** The configured listing consistency; publishing by rename or link. */
    @Override
    public ListingConsistency listing() {
        return listing;
    }

    /**
     * Opens a file, buffered.
     *
     * @throws NoSuchFileException if no file is there (a directory is not a file)
     */
    @Override
    public InputStream open(URI file) throws IOException {
        Path path = toPath(file, "open file");
        checkOpen("open file", file);
        BasicFileAttributes attributes = attributes(path, "open file", file);
        if (attributes.isDirectory()) {
            throw new NoSuchFileException(null, null, "Cannot open file: " + file
                    + " (expected a file, found a directory)");
        }
        try {
            return new BufferedInputStream(Files.newInputStream(path), BUFFER);
        } catch (NoSuchFileException e) {
            throw noSuchFile("open file", file, e);
        }
    }

    /**
     * Creates the missing parent directories and a hidden temporary file next to
     * {@code file}; see the class javadoc for how the commit publishes it.
     *
     * @throws FileAlreadyExistsException if {@code overwrite} is {@code false} and the file
     *                                    exists (the commit checks again, atomically)
     */
    @Override
    public StorageOutput create(URI file, boolean overwrite) throws IOException {
        Path target = toPath(file, "create file");
        checkOpen("create file", file);
        Path parent = target.getParent();
        if (parent == null) {
            throw new FileSystemException(null, null, "Cannot create file: " + file
                    + " (expected a path below a directory, found the root)");
        }
        createDirectories(parent, file);
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw alreadyExists("create file", file, null);
        }
        Path temp = parent.resolve(temporaryName(target.getFileName().toString()));
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new LocalOutput(file, target, temp, channel, overwrite);
    }

    /**
     * The status of a file or directory; symbolic links are followed.
     *
     * @throws NoSuchFileException if nothing is there
     */
    @Override
    public FileStatus stat(URI file) throws IOException {
        Path path = toPath(file, "stat file");
        checkOpen("stat file", file);
        return status(path, attributes(path, "stat file", file));
    }

    /**
     * The entries of a directory, including hidden temporary files of writes in progress or
     * of crashed writers. A missing directory, or a path that is a file, lists as empty.
     * Entries that vanish while being listed are left out.
     */
    @Override
    public List<FileStatus> list(URI directory) throws IOException {
        Path dir = toPath(directory, "list directory");
        checkOpen("list directory", directory);
        List<FileStatus> children = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(entry, BasicFileAttributes.class);
                } catch (NoSuchFileException gone) {
                    continue; // deleted, or a temporary file renamed away, since the directory was read
                }
                children.add(status(entry, attributes));
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        }
        return children;
    }

    /**
     * Deletes a file, or a directory tree bottom-up without following symbolic links (a link
     * is removed, not its target). Files that vanish meanwhile are fine; a file created in
     * the tree meanwhile makes the delete fail.
     */
    @Override
    public void delete(URI fileOrDirectory) throws IOException {
        Path root = toPath(fileOrDirectory, "delete");
        checkOpen("delete", fileOrDirectory);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Marks the instance unusable; nothing is held open between calls. */
    @Override
    public void close() {
        closed = true;
    }

    // ---------------------------------------------------------------- paths and names

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

    static Path toPath(URI uri, String what) {
        Objects.requireNonNull(uri, "uri");
        if (!LocalStorageProvider.SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("Cannot " + what + ": " + uri
                    + " (expected a file:// URI, found scheme " + uri.getScheme() + ")");
        }
        if (uri.isOpaque()) {
            throw new IllegalArgumentException("Cannot " + what + ": " + uri + " (expected file:///<absolute path>,"
                    + " found a relative URI; write file:///" + uri.getSchemeSpecificPart() + " for an absolute path, or give a"
                    + " plain path, which is made absolute)");
        }
        if (uri.getAuthority() != null) {
            throw new IllegalArgumentException("Cannot " + what + ": " + uri + " (expected file:///<absolute path>,"
                    + " found authority '" + uri.getAuthority() + "'; mount the share and use its local path)");
        }
        try {
            // Path.of(URI) refuses some unencoded characters that URI itself allows;
            // re-encoding first accepts what a user typed as well as what Path.toUri made.
            return Path.of(URI.create(uri.toASCIIString()));
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            throw new IllegalArgumentException("Cannot " + what + ": " + uri
                    + " (expected file:///<absolute path>, found a URI that is not a path: " + e.getMessage() + ")", e);
        }
    }

    /** Path.toUri(), minus the slash it appends to existing directories (FileStatus has none). */
    private static URI toUri(Path path) {
        URI uri = path.toUri();
        String s = uri.toString();
        if (s.endsWith("/") && path.getParent() != null) {
            return URI.create(s.substring(0, s.length() - 1));
        }
        return uri;
    }

    private static FileStatus status(Path path, BasicFileAttributes a) {
        return new FileStatus(toUri(path), a.isDirectory() ? 0 : a.size(), a.isDirectory(), a.lastModifiedTime().toInstant());
    }

    private static BasicFileAttributes attributes(Path path, String what, URI uri) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw noSuchFile(what, uri, e);
        }
    }

    private void createDirectories(Path dir, URI file) throws IOException {
        // Remember which directories are new: with fsync on, each one's entry in its parent
        // must reach the disk, or a crash could lose a directory whose files were synced.
        Deque<Path> created = new ArrayDeque<>();
        if (fsync) {
            for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) {
                created.push(d);
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            // Not the "file exists" of the contract: a file stands where a directory must be.
            FileSystemException notADirectory = new FileSystemException(null, null, "Cannot create file: " + file
                    + " (expected a directory at " + e.getFile() + ", found a file; delete it or pick another location)");
            notADirectory.initCause(e);
            throw notADirectory;
        }
        for (Path d : created) {
            forceDirectory(d.getParent());
        }
    }

    private static void forceDirectory(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            if (WINDOWS) {
                return; // Windows cannot open a directory; NTFS journals the rename itself
            }
            throw e;
        }
        try (channel) {
            channel.force(true);
        }
    }

    private void checkOpen(String what, URI location) throws IOException {
        if (closed) {
            throw new IOException("Cannot " + what + ": " + location
                    + " (expected an open storage, found it closed; open a new one from the provider)");
        }
    }

    private static NoSuchFileException noSuchFile(String what, URI uri, NoSuchFileException cause) {
        // file = null keeps getMessage() in the house form instead of "<file>: <reason>"
        NoSuchFileException e = new NoSuchFileException(null, null, "Cannot " + what + ": " + uri
                + " (expected a file or directory, found nothing at " + cause.getFile() + ")");
        e.initCause(cause);
        return e;
    }

    private static FileAlreadyExistsException alreadyExists(String what, URI file, Throwable cause) {
        FileAlreadyExistsException e = new FileAlreadyExistsException(null, null, "Cannot " + what + ": " + file
                + " (expected no file there, found one; pass overwrite=true to replace it)");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    /**
     * Moves {@code temp} to the missing {@code target} without replacing it if it exists:
     * a hard link where the file system has them, else a check followed by a rename.
     */
    static void publishWithoutReplacing(Path temp, Path target, URI file) throws IOException {
        try {
            Files.createLink(target, temp);
        } catch (FileAlreadyExistsException e) {
            throw alreadyExists("commit file", file, e);
        } catch (NoSuchFileException e) {
            throw e; // the directory went away under us; a move could not do better
        } catch (IOException | UnsupportedOperationException noHardLinks) {
            try {
                moveWithoutReplacing(temp, target, file);
            } catch (IOException e) {
                e.addSuppressed(noHardLinks);
                throw e;
            }
            return;
        }
        try {
            Files.delete(temp);
        } catch (IOException e) {
            // The file is published whole under its name either way; a stray hidden link to
            // the same bytes is not worth failing a commit that already happened.
            LOG.warn("Cannot delete temporary file: {} (expected to remove it after publishing {}, found {})",
                    temp, file, e.toString());
        }
    }

    /** The fallback for file systems without hard links; see the class javadoc for its race. */
    static void moveWithoutReplacing(Path temp, Path target, URI file) throws IOException {
        try {
            Files.move(temp, target); // no REPLACE_EXISTING: fails if the target exists
        } catch (FileAlreadyExistsException e) {
            throw alreadyExists("commit file", file, e);
        }
    }

    private final class LocalOutput extends StorageOutput {
        private final URI file;
        private final Path target;
        private final Path temp;
        private final FileChannel channel;
        private final OutputStream out;
        private final boolean overwrite;

        LocalOutput(URI file, Path target, Path temp, FileChannel channel, boolean overwrite) {
            super(file);
            this.file = file;
            this.target = target;
            this.temp = temp;
            this.channel = channel;
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
            this.overwrite = overwrite;
        }

        @Override
        protected void writeByte(int b) throws IOException {
            out.write(b);
        }

        @Override
        protected void writeBytes(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        /** Flushes to the temporary file. */
        @Override
        protected void flushBytes() throws IOException {
            out.flush();
        }

        @Override
        protected void publish() throws IOException {
            checkOpen("commit file", file);
            boolean published = false;
            try {
                out.flush();
                if (fsync) {
                    channel.force(true);
                }
                channel.close();
                if (overwrite) {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } else {
                    publishWithoutReplacing(temp, target, file);
                }
                published = true;
                if (fsync) {
                    forceDirectory(target.getParent());
                }
            } catch (IOException | RuntimeException e) {
                if (published) {
                    // The directory sync failed: the name may not survive a crash. Withdraw it,
                    // so that a failed commit leaves nothing visible, as the contract says.
                    suppressing(e, () -> Files.deleteIfExists(target));
                }
                throw e;
            }
        }

        /** Closes the channel (no flush: the bytes are discarded) and removes the temporary file, keeping the first error. */
        @Override
        protected void discard() throws IOException {
            IOException failure = null;
            try {
                channel.close();
            } catch (IOException e) {
                failure = e;
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void suppressing(Throwable failure, IoAction action) {
        try {
            action.run();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
