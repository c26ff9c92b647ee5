package dev.cairn.storage.memory;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The {@code memory://} backend: files on the Java heap, named {@code memory://<name>/<path>}.
 *
 * <p>All instances in a JVM share one set of <em>volumes</em>, one per {@code <name>} (the URI
 * authority): a file committed through one instance, by one context, is visible at once to
 * every other instance. That is what lets a second context read back a checkpoint the first one
 * wrote, the way it would from disk. Closing an instance frees nothing; data stays until
 * {@link #delete}, {@link #clear(String)} or {@link #clearAll()} removes it.
 *
 * <p>Behaviour against the {@link Storage} contract:
 * <ul>
 *   <li>Listings are {@linkplain ListingConsistency#STRONG strong}; there is no rename
 *       (no rename): a commit is one atomic
 *       put into a concurrent map, so a listing never shows a file in progress.</li>
 *   <li>Directories are not stored; they are implied by the paths of files. A directory
 *       exists while some file lies under it, and {@link #list} reports it as a
 *       sub-directory of its parent.</li>
 *   <li>{@code create(file, false)} fails at once if the file exists, and the commit fails
 *       with {@link FileAlreadyExistsException} if another writer committed it first (the
 *       put is a compare-and-set, so two writers never both win).</li>
 *   <li>A file cannot be committed where a directory is implied, nor under a path whose
 *       ancestor is a file, mirroring a real file system. These checks are not atomic with
 *       the put; a racing writer can still produce both, which a list then reports twice.</li>
 *   <li>A URI without a name ({@code memory:/x}) or of another scheme is a caller bug and
 *       fails with {@link IllegalArgumentException}; every other failure is an
 *       {@link IOException}.</li>
 * </ul>
 *
 * <p>Thread-safe. File contents are held in chunks of at most 1 MiB, so a large file never
 * needs one huge array or a copy on commit.
 */
public final class MemoryStorage implements Storage {

    private volatile boolean closed;

    /** A storage over the JVM-wide volumes; cheap, holds no data of its own. */
    public MemoryStorage() {
    }

    /**
     * Drops every file of volume {@code name} ({@code memory://name/...}), for tests that must
     * start empty or free the heap. Outputs still open on that volume commit into it afresh.
     */
    public static void clear(String name) {
        Objects.requireNonNull(name, "name");
        Volumes.BY_NAME.remove(name);
    }

    /** Drops every file of every volume. */
    public static void clearAll() {
        Volumes.BY_NAME.clear();
    }

    /** {@code true}: a read returns the very bytes the writer handed over, from this JVM's heap. */
    @Override
    public boolean readsBackFromWriterCache() {
        return true;
    }

    /**
     * Opens a committed file. The stream reads the content as it was when opened, even if
     * the file is overwritten or deleted meanwhile.
     *
     * @throws NoSuchFileException if no file has that name (a directory is not a file)
     */
    @Override
    public InputStream open(URI file) throws IOException {
        Location at = locate(file, "open file");
        checkOpen("open file", file);
        Blob blob = at.volume().get(at.path());
        if (blob == null) {
            String found = isDirectory(at) ? "a directory" : "nothing";
            throw noSuchFile("Cannot open file: " + file + " (expected a committed file, found " + found + ")");
        }
        return new BlobInputStream(blob);
    }

    /**
     * Starts writing a file held in memory until {@link StorageOutput#commit()} puts it into
     * the volume.
     *
     * @throws FileAlreadyExistsException if {@code overwrite} is {@code false} and the file exists
     */
    @Override
    public StorageOutput create(URI file, boolean overwrite) throws IOException {
        Location at = locate(file, "create file");
        checkOpen("create file", file);
        if (at.path().isEmpty()) {
            throw new FileSystemException(null, null, "Cannot create file: " + file
                    + " (expected a path below the volume, found the volume root; use memory://<name>/<path>)");
        }
        if (!overwrite && at.volume().containsKey(at.path())) {
            throw alreadyExists("create file", file);
        }
        return new MemoryOutput(file, at, overwrite);
    }

    /**
     * The status of a file, or of a directory implied by the files under it.
     *
     * @throws NoSuchFileException if neither is there
     */
    @Override
    public FileStatus stat(URI file) throws IOException {
        Location at = locate(file, "stat file");
        checkOpen("stat file", file);
        Blob blob = at.volume().get(at.path());
        if (blob != null) {
            return new FileStatus(at.uri(), blob.length(), false, blob.modified());
        }
        if (isDirectory(at)) {
            return new FileStatus(at.uri(), 0, true, Instant.EPOCH);
        }
        throw noSuchFile("Cannot stat file: " + file + " (expected a file or directory, found nothing)");
    }

    /** Files and implied sub-directories directly under {@code directory}, sorted by name. */
    @Override
    public List<FileStatus> list(URI directory) throws IOException {
        Location at = locate(directory, "list directory");
        checkOpen("list directory", directory);
        ConcurrentNavigableMap<String, Blob> volume = at.volume();
        String prefix = at.path() + "/";
        List<FileStatus> children = new ArrayList<>();
        // Keys are sorted, so all files under one sub-directory "d/" form one run; after
        // reporting the sub-directory we jump past the run ("d0" is the first key after "d/...",
        // '0' being the character after '/') instead of walking every file in it.
        String cursor = prefix;
        while (true) {
            Map.Entry<String, Blob> e = volume.ceilingEntry(cursor);
            if (e == null || !e.getKey().startsWith(prefix)) {
                break;
            }
            String rest = e.getKey().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                Blob blob = e.getValue();
                children.add(new FileStatus(at.child(rest).uri(), blob.length(), false, blob.modified()));
                cursor = e.getKey() + "\0";
            } else {
                String dir = rest.substring(0, slash);
                children.add(new FileStatus(at.child(dir).uri(), 0, true, Instant.EPOCH));
                cursor = prefix + dir + "0";
            }
        }
        return children;
    }

    /** Removes the file, or every file under the directory; succeeds when nothing is there. */
    @Override
    public void delete(URI fileOrDirectory) throws IOException {
        Location at = locate(fileOrDirectory, "delete");
        checkOpen("delete", fileOrDirectory);
        ConcurrentNavigableMap<String, Blob> volume = at.volume();
        if (!at.path().isEmpty()) {
            volume.remove(at.path());
        }
        volume.subMap(at.path() + "/", true, at.path() + "0", false).clear();
    }

    /** Makes this instance unusable; the files stay in their volumes for other instances. */
    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen(String what, URI location) throws IOException {
        if (closed) {
            throw new IOException("Cannot " + what + ": " + location
                    + " (expected an open storage, found it closed; open a new one from the provider)");
        }
    }

    private static boolean isDirectory(Location at) {
        String prefix = at.path() + "/";
        String next = at.volume().ceilingKey(prefix);
        return next != null && next.startsWith(prefix);
    }

    private static NoSuchFileException noSuchFile(String message) {
        // file = null keeps getMessage() in the house form instead of "<file>: <reason>"
        return new NoSuchFileException(null, null, message);
    }

    private static FileAlreadyExistsException alreadyExists(String what, URI file) {
        return new FileAlreadyExistsException(null, null, "Cannot " + what + ": " + file
                + " (expected no file there, found one; pass overwrite=true to replace it)");
    }

    private static Location locate(URI uri, String what) {
        Objects.requireNonNull(uri, "uri");
        if (!MemoryStorageProvider.SCHEME.equalsIgnoreCase(uri.getScheme()) || uri.isOpaque()) {
            throw new IllegalArgumentException("Cannot " + what + ": " + uri
                    + " (expected a memory://<name>/<path> URI, found scheme " + uri.getScheme() + ")");
        }
        String name = uri.getAuthority();
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("Cannot " + what + ": " + uri
                    + " (expected a memory://<name>/<path> URI, found no name; did you write memory:/ instead of memory://?)");
        }
        // Normalise so that memory://n/a//b/ and memory://n/a/./b name the same file, as they
        // would on a file system; ".." above the root is refused rather than silently clamped.
        Deque<String> segments = new ArrayDeque<>();
        String path = uri.getPath() == null ? "" : uri.getPath();
        for (String s : path.split("/")) {
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                if (segments.isEmpty()) {
                    throw new IllegalArgumentException("Cannot " + what + ": " + uri
                            + " (expected a path inside the volume, found one that climbs above its root)");
                }
                segments.removeLast();
            } else {
                segments.addLast(s);
            }
        }
        StringBuilder normal = new StringBuilder();
        for (String s : segments) {
            normal.append('/').append(s);
        }
        return new Location(name, normal.toString());
    }

    /** A normalised position: volume name and path ("" for the root, else "/a/b"). */
    private record Location(String name, String path) {
        /** The volume, or an empty stand-in if none exists; reads never create volumes. */
        ConcurrentNavigableMap<String, Blob> volume() {
            return Volumes.peek(name);
        }

        Location child(String segment) {
            return new Location(name, path + "/" + segment);
        }

        URI uri() {
            try {
                // toASCIIString percent-encodes spaces and non-ASCII, so the URI handed out
                // parses back to the same path with URI.create anywhere.
                return URI.create(new URI(MemoryStorageProvider.SCHEME, name, path, null, null).toASCIIString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("Cannot build URI for memory://" + name + path, e);
            }
        }
    }

    /**
     * The only static state in Cairn, on purpose. A memory checkpoint must outlive the context
     * (and the {@link MemoryStorage} instance) that wrote it, so that a second context in the
     * same JVM can read it back exactly as it would from disk; the registry is per context, so
     * the data cannot live there. Tests reset it with {@link #clear(String)}. Each volume is a
     * sorted concurrent map from normalised path to content: sorted, so that listing a
     * directory is a range scan.
     */
    private static final class Volumes {
        static final ConcurrentMap<String, ConcurrentNavigableMap<String, Blob>> BY_NAME = new ConcurrentHashMap<>();

        // Never written to: what reads see of a volume nothing was ever committed to.
        private static final ConcurrentNavigableMap<String, Blob> NONE = new ConcurrentSkipListMap<>();

        static ConcurrentNavigableMap<String, Blob> peek(String name) {
            return BY_NAME.getOrDefault(name, NONE);
        }

        static ConcurrentNavigableMap<String, Blob> createIfAbsent(String name) {
            return BY_NAME.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
        }
    }

    /** Immutable content of a committed file. */
    private record Blob(byte[][] chunks, long length, Instant modified) {
    }

    private static final class BlobInputStream extends InputStream {
        private final Blob blob;
        private int chunk;
        private int offset;

        BlobInputStream(Blob blob) {
            this.blob = blob;
        }

        @Override
        public int read() {
            while (chunk < blob.chunks().length) {
                byte[] c = blob.chunks()[chunk];
                if (offset < c.length) {
                    return c[offset++] & 0xff;
                }
                chunk++;
                offset = 0;
            }
            return -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            int copied = 0;
            while (copied < len && chunk < blob.chunks().length) {
                byte[] c = blob.chunks()[chunk];
                int n = Math.min(len - copied, c.length - offset);
                System.arraycopy(c, offset, b, off + copied, n);
                copied += n;
                offset += n;
                if (offset == c.length) {
                    chunk++;
                    offset = 0;
                }
            }
            return copied == 0 ? -1 : copied;
        }

        @Override
        public long skip(long n) {
            long skipped = 0;
            while (skipped < n && chunk < blob.chunks().length) {
                byte[] c = blob.chunks()[chunk];
                int step = (int) Math.min(n - skipped, c.length - offset);
                skipped += step;
                offset += step;
                if (offset == c.length) {
                    chunk++;
                    offset = 0;
                }
            }
            return skipped;
        }

        @Override
        public int available() {
            return chunk < blob.chunks().length ? blob.chunks()[chunk].length - offset : 0;
        }
    }

    private final class MemoryOutput extends StorageOutput {
        // Small first chunk so that many tiny files stay tiny; doubling up to 1 MiB keeps the
        // number of chunks of a large file low without ever allocating one huge array.
        private static final int FIRST_CHUNK = 256;
        private static final int MAX_CHUNK = 1 << 20;

        private final URI file;
        private final Location at;
        private final boolean overwrite;
        private final List<byte[]> chunks = new ArrayList<>();
        private byte[] current = new byte[FIRST_CHUNK];
        private int used;
        private long written;

        MemoryOutput(URI file, Location at, boolean overwrite) {
            super(file);
            this.file = file;
            this.at = at;
            this.overwrite = overwrite;
        }

        @Override
        protected void writeByte(int b) {
            if (used == current.length) {
                grow();
            }
            current[used++] = (byte) b;
            written++;
        }

        @Override
        protected void writeBytes(byte[] b, int off, int len) {
            int done = 0;
            while (done < len) {
                if (used == current.length) {
                    grow();
                }
                int n = Math.min(len - done, current.length - used);
                System.arraycopy(b, off + done, current, used, n);
                used += n;
                done += n;
            }
            written += len;
        }

        private void grow() {
            chunks.add(current);
            current = new byte[Math.min(current.length * 2, MAX_CHUNK)];
            used = 0;
        }

        @Override
        protected void publish() throws IOException {
            checkOpen("commit file", file);
            ConcurrentNavigableMap<String, Blob> volume = Volumes.createIfAbsent(at.name());
            checkNoConflict(volume);
            List<byte[]> all = new ArrayList<>(chunks);
            if (used > 0) {
                all.add(used == current.length ? current : Arrays.copyOf(current, used));
            }
            Blob blob = new Blob(all.toArray(new byte[0][]), written, Instant.now());
            chunks.clear();
            current = null;
            if (overwrite) {
                volume.put(at.path(), blob);
            } else if (volume.putIfAbsent(at.path(), blob) != null) {
                throw alreadyExists("commit file", file);
            }
        }

        /** Drops the chunks: nothing reached the volume. */
        @Override
        protected void discard() {
            chunks.clear();
            current = null;
        }

        private void checkNoConflict(ConcurrentNavigableMap<String, Blob> volume) throws IOException {
            if (isDirectory(at)) {
                throw new FileAlreadyExistsException(null, null, "Cannot commit file: " + file
                        + " (expected no directory at that name, found one; delete it or pick another name)");
            }
            int slash = at.path().lastIndexOf('/');
            while (slash > 0) {
                String ancestor = at.path().substring(0, slash);
                if (volume.containsKey(ancestor)) {
                    throw new FileSystemException(null, null, "Cannot commit file: " + file
                            + " (expected a directory at " + new Location(at.name(), ancestor).uri()
                            + ", found a file; delete it or pick another name)");
                }
                slash = ancestor.lastIndexOf('/');
            }
        }

    }
}
