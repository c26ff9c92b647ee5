package dev.cairn.storage.tck.faults;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A {@link Storage} that passes every call to another one and misbehaves on request, so that
 * tests of code above the storage (the checkpoint engine, the reload's listing waiter) can
 * make writes fail, reads return corrupt or short data, and listings lag, on a backend that
 * otherwise works.
 *
 * <pre>{@code
 * FaultInjectingStorage storage = FaultInjectingStorage.wrap(new MemoryStorage())
 *         .failCommit(2, name -> name.startsWith("part-"))   // the 2nd part-file commit from now
 *         .flipByteOnRead(100, "part-00003"::equals);        // every read of part-00003
 * ...
 * assertEquals(5, storage.commits());
 * }</pre>
 *
 * <h2>Faults</h2>
 * <ul>
 *   <li>{@code failCreate}, {@code failWrite}, {@code failCommit}: the {@code nth} call from
 *       the moment the fault is armed, counted across the whole storage (all threads, all
 *       outputs) among calls on file names the predicate accepts, throws an
 *       {@link InjectedFaultException}; the calls before and after it go through. A failed
 *       write leaves its output broken: later writes and the commit fail too, and
 *       {@code close} discards it. A failed commit discards the file; nothing is published.</li>
 *   <li>{@code flipByteOnRead}, {@code truncateOnRead}: while armed, every stream opened on a
 *       matching file has the byte at {@code offset} inverted, or ends after {@code length}
 *       bytes. {@link #stat} and {@link #list} still report the true length, as a store
 *       does when a transfer goes wrong on the way.</li>
 *   <li>A listing delay, fixed when wrapping (see {@link #wrap(Storage, Duration)}), hides
 *       from {@link #list} every file committed through this wrapper less than that long ago,
 *       and makes {@link #listing()} report {@link ListingConsistency#EVENTUAL}.
 *       {@code stat} and {@code open} see such files at once, as on stores whose reads
 *       are consistent but whose listings lag. Directories implied by hidden files are
 *       still listed.</li>
 * </ul>
 * A predicate receives the file's name, the last segment of its path, decoded
 * ({@code part-00003}). {@link #disarm()} removes every fault that is armed.
 *
 * <h2>Counters</h2>
 * {@link #creates()}, {@link #writes()}, {@link #commits()}, {@link #opens()}, {@link #lists()},
 * {@link #stats()} and {@link #deletes()} count calls made through this wrapper since it was
 * made, whether they succeeded, failed for real or failed by injection;
 * {@link #injectedFaults()} counts faults that fired.
 *
 * <p>Thread-safe: faults may be armed while other threads use the storage. Closing the
 * wrapper closes the wrapped storage.
 */
public final class FaultInjectingStorage implements Storage {
    private final Storage delegate;
    private final long listingDelayNanos;
    private final ListingConsistency listing;
    private final boolean readsBackFromWriterCache;
    private final List<CallFault> callFaults = new CopyOnWriteArrayList<>();
    private final List<ReadFault> readFaults = new CopyOnWriteArrayList<>();
    private final List<Hold> holds = new CopyOnWriteArrayList<>();
    // Normalised location -> System.nanoTime() of its last commit; only kept with a listing delay.
    private final Map<String, Long> recentCommits = new ConcurrentHashMap<>();

    private final AtomicLong creates = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong opens = new AtomicLong();
    private final AtomicLong lists = new AtomicLong();
    private final AtomicLong stats = new AtomicLong();
    private final AtomicLong deletes = new AtomicLong();
    private final AtomicLong injected = new AtomicLong();

    private FaultInjectingStorage(Storage delegate, Duration listingDelay, boolean remote) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(listingDelay, "listingDelay");
        if (listingDelay.isNegative()) {
            throw new IllegalArgumentException("listingDelay must be >= 0, was: " + listingDelay);
        }
        this.listingDelayNanos = listingDelay.toNanos();
        this.listing = listingDelayNanos > 0 ? ListingConsistency.EVENTUAL : delegate.listing();
        this.readsBackFromWriterCache = !remote && delegate.readsBackFromWriterCache();
    }

    /** Wraps {@code delegate} with no faults armed and listings as consistent as the delegate's. */
    public static FaultInjectingStorage wrap(Storage delegate) {
        return new FaultInjectingStorage(delegate, Duration.ZERO, false);
    }

    /**
     * Wraps {@code delegate} like {@link #wrap(Storage)}, but reporting
     * {@link #readsBackFromWriterCache()} {@code false} whatever the delegate says, as a remote
     * store does: a local or in-memory backend then stands in for S3 or HDFS in tests of
     * {@code cairn.checkpoint.verify=auto}.
     */
    public static FaultInjectingStorage wrapAsRemote(Storage delegate) {
        return new FaultInjectingStorage(delegate, Duration.ZERO, true);
    }

    /**
     * Wraps {@code delegate} so that listings lag commits by {@code listingDelay}. Fixed for the
     * life of the wrapper because {@link #listing()} must not change; a zero delay is the
     * same as {@link #wrap(Storage)}.
     */
    public static FaultInjectingStorage wrap(Storage delegate, Duration listingDelay) {
        return new FaultInjectingStorage(delegate, listingDelay, false);
    }

    /** The wrapped storage, to inspect or prepare files without faults or counting. */
    public Storage delegate() {
        return delegate;
    }

    /** The listing delay this wrapper was made with; zero for none. */
    public Duration listingDelay() {
        return Duration.ofNanos(listingDelayNanos);
    }

    // ---------------------------------------------------------------- arming

    /** Fails the {@code nth} {@link #create} from now (1 = the next one). */
    public FaultInjectingStorage failCreate(int nth) {
        return failCreate(nth, name -> true);
    }

    /** Fails the {@code nth} {@link #create} from now of a file whose name {@code names} accepts. */
    public FaultInjectingStorage failCreate(int nth, Predicate<String> names) {
        callFaults.add(new CallFault(Call.CREATE, nth, names));
        return this;
    }

    /** Fails the {@code nth} call of any {@code write} method from now, on any output. */
    public FaultInjectingStorage failWrite(int nth) {
        return failWrite(nth, name -> true);
    }

    /** Fails the {@code nth} {@code write} call from now on outputs of files {@code names} accepts. */
    public FaultInjectingStorage failWrite(int nth, Predicate<String> names) {
        callFaults.add(new CallFault(Call.WRITE, nth, names));
        return this;
    }

    /** Fails the {@code nth} {@link StorageOutput#commit()} from now; the file is discarded. */
    public FaultInjectingStorage failCommit(int nth) {
        return failCommit(nth, name -> true);
    }

    /** Fails the {@code nth} commit from now of a file whose name {@code names} accepts. */
    public FaultInjectingStorage failCommit(int nth, Predicate<String> names) {
        callFaults.add(new CallFault(Call.COMMIT, nth, names));
        return this;
    }

    /**
     * Fails the {@code nth} {@link #open} from now of a file whose name {@code names} accepts, as
     * a store that answers with an error (a 503, a refused connection) would.
     */
    public FaultInjectingStorage failOpen(int nth, Predicate<String> names) {
        callFaults.add(new CallFault(Call.OPEN, nth, names));
        return this;
    }

    /**
     * Makes every read of a file {@code names} accepts fail with an {@link InjectedFaultException}
     * once {@code offset} bytes were read, as a connection reset in the middle of a download would.
     */
    public FaultInjectingStorage failReadAt(long offset, Predicate<String> names) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was: " + offset);
        }
        readFaults.add(new ReadFault(-1, -1, offset, Objects.requireNonNull(names, "names")));
        return this;
    }

    /** Inverts the byte at {@code offset} of every read of a file {@code names} accepts. */
    public FaultInjectingStorage flipByteOnRead(long offset, Predicate<String> names) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was: " + offset);
        }
        readFaults.add(new ReadFault(offset, -1, -1, Objects.requireNonNull(names, "names")));
        return this;
    }

    /** Ends every read of a file {@code names} accepts after its first {@code length} bytes. */
    public FaultInjectingStorage truncateOnRead(long length, Predicate<String> names) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, was: " + length);
        }
        readFaults.add(new ReadFault(-1, length, -1, Objects.requireNonNull(names, "names")));
        return this;
    }

    /**
     * Holds every commit of a file {@code files} accepts (it sees the whole URI) until
     * {@code release} is counted down: a slow store, for tests of what goes on meanwhile. A
     * thread interrupted while held commits nothing and fails.
     */
    public FaultInjectingStorage holdCommits(Predicate<URI> files, java.util.concurrent.CountDownLatch release) {
        holds.add(new Hold(Objects.requireNonNull(files, "files"), Objects.requireNonNull(release, "release")));
        return this;
    }

    /** Removes every armed fault; the listing delay and the counters stay. */
    public FaultInjectingStorage disarm() {
        callFaults.clear();
        readFaults.clear();
        holds.clear();
        return this;
    }

    // ---------------------------------------------------------------- counters

    /** Calls to {@link #create}. */
    public long creates() {
        return creates.get();
    }

    /** Calls to any {@code write} method of the outputs this wrapper made. */
    public long writes() {
        return writes.get();
    }

    /** Calls to {@link StorageOutput#commit()} of the outputs this wrapper made. */
    public long commits() {
        return commits.get();
    }

    /** Calls to {@link #open}. */
    public long opens() {
        return opens.get();
    }

    /** Calls to {@link #list}. */
    public long lists() {
        return lists.get();
    }

    /** Calls to {@link #stat}. */
    public long stats() {
        return stats.get();
    }

    /** Calls to {@link #delete}. */
    public long deletes() {
        return deletes.get();
    }

    /** Faults that fired: exceptions thrown on purpose plus streams that were corrupted or cut short. */
    public long injectedFaults() {
        return injected.get();
    }

    // ---------------------------------------------------------------- Storage

    /** The delegate's, or {@code false} for a wrapper made by {@link #wrapAsRemote}. */
    @Override
    public boolean readsBackFromWriterCache() {
        return readsBackFromWriterCache;
    }

    /** The delegate's, with {@link ListingConsistency#EVENTUAL} listings when a listing delay is set. */
    @Override
    public ListingConsistency listing() {
        return listing;
    }

    /** The delegate's stream, corrupted or cut short by the read faults that match. */
    @Override
    public InputStream open(URI file) throws IOException {
        opens.incrementAndGet();
        String name = nameOf(file);
        fire(Call.OPEN, name, file);
        InputStream in = delegate.open(file);
        long flip = -1;
        long truncate = -1;
        long failAt = -1;
        for (ReadFault f : readFaults) {
            if (f.names().test(name)) {
                if (f.flipAt() >= 0) {
                    flip = f.flipAt(); // the last one armed wins; one flipped byte is enough to test with
                }
                if (f.truncateAt() >= 0) {
                    truncate = truncate < 0 ? f.truncateAt() : Math.min(truncate, f.truncateAt());
                }
                if (f.failAt() >= 0) {
                    failAt = failAt < 0 ? f.failAt() : Math.min(failAt, f.failAt());
                }
            }
        }
        return flip < 0 && truncate < 0 && failAt < 0 ? in : new FaultyInputStream(in, flip, truncate, failAt, file);
    }

    /** Creates through the delegate unless a create fault fires first. */
    @Override
    public StorageOutput create(URI file, boolean overwrite) throws IOException {
        creates.incrementAndGet();
        String name = nameOf(file);
        fire(Call.CREATE, name, file);
        return new FaultyOutput(delegate.create(file, overwrite), file, name);
    }

    /** The delegate's status. */
    @Override
    public FileStatus stat(URI file) throws IOException {
        stats.incrementAndGet();
        return delegate.stat(file);
    }

    /** The delegate's listing, without files committed less than the listing delay ago. */
    @Override
    public List<FileStatus> list(URI directory) throws IOException {
        lists.incrementAndGet();
        List<FileStatus> listing = delegate.list(directory);
        if (listingDelayNanos == 0 || recentCommits.isEmpty()) {
            return listing;
        }
        long now = System.nanoTime();
        recentCommits.values().removeIf(committed -> now - committed >= listingDelayNanos);
        List<FileStatus> visible = new ArrayList<>(listing.size());
        for (FileStatus s : listing) {
            Long committed = s.directory() ? null : recentCommits.get(key(s.location()));
            if (committed == null || now - committed >= listingDelayNanos) {
                visible.add(s);
            }
        }
        return visible;
    }

    /** Deletes through the delegate. */
    @Override
    public void delete(URI fileOrDirectory) throws IOException {
        deletes.incrementAndGet();
        delegate.delete(fileOrDirectory);
    }

    /** Closes the delegate. */
    @Override
    public void close() throws IOException {
        delegate.close();
    }

    // ---------------------------------------------------------------- internals

    private void fire(Call call, String name, URI file) throws InjectedFaultException {
        // Every matching fault counts the call, even when an earlier one fires, so that
        // failCommit(1) and failCommit(2) fail the first and the second commit.
        CallFault firing = null;
        for (CallFault f : callFaults) {
            if (f.call() == call && f.names().test(name) && f.seen().incrementAndGet() == f.nth() && firing == null) {
                firing = f;
            }
        }
        if (firing != null) {
            injected.incrementAndGet();
            throw new InjectedFaultException("Cannot " + call.verb + ": " + file + " (injected fault: "
                    + call.label + " #" + firing.nth() + " of matching files since it was armed; "
                    + "this is FaultInjectingStorage at work, not a real I/O error)");
        }
    }

    private void committed(URI file) {
        if (listingDelayNanos > 0) {
            recentCommits.put(key(file), System.nanoTime());
        }
    }

    /** The last path segment, decoded: what name predicates see. */
    static String nameOf(URI file) {
        String path = file.getPath();
        if (path == null) {
            return "";
        }
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(path.lastIndexOf('/', end - 1) + 1, end);
    }

    /**
     * A comparable form of a location: the URI a caller passed to {@code create} and the one a
     * listing returns may differ in spelling ({@code file:/x} and {@code file:///x}, escaped or
     * not, doubled or trailing slashes) while naming the same file.
     */
    static String key(URI location) {
        String scheme = location.getScheme() == null ? "" : location.getScheme().toLowerCase(Locale.ROOT);
        String authority = location.getAuthority() == null ? "" : location.getAuthority();
        StringBuilder path = new StringBuilder();
        for (String segment : (location.getPath() == null ? "" : location.getPath()).split("/")) {
            if (!segment.isEmpty()) {
                path.append('/').append(segment);
            }
        }
        return scheme + "://" + authority + path;
    }

    private enum Call {
        CREATE("create file", "create"),
        WRITE("write file", "write call"),
        COMMIT("commit file", "commit"),
        OPEN("open file", "open");

        final String verb;
        final String label;

        Call(String verb, String label) {
            this.verb = verb;
            this.label = label;
        }
    }

    private record CallFault(Call call, long nth, Predicate<String> names, AtomicLong seen) {
        CallFault(Call call, long nth, Predicate<String> names) {
            this(call, nth, Objects.requireNonNull(names, "names"), new AtomicLong());
            if (nth < 1) {
                throw new IllegalArgumentException("nth must be >= 1, was: " + nth);
            }
        }
    }

    private record Hold(Predicate<URI> files, java.util.concurrent.CountDownLatch release) {
    }

    /** flipAt, truncateAt or failAt is -1 when that part does not apply. */
    private record ReadFault(long flipAt, long truncateAt, long failAt, Predicate<String> names) {
    }

    /**
     * The delegate's output with write and commit faults. A fault fails the call; the base
     * class then discards the output (as any failed write or commit does), so nothing is published.
     */
    private final class FaultyOutput extends StorageOutput {
        private final StorageOutput out;
        private final String name;

        FaultyOutput(StorageOutput out, URI file, String name) {
            super(file);
            this.out = out;
            this.name = name;
        }

        @Override
        protected void writeBytes(byte[] b, int off, int len) throws IOException {
            writes.incrementAndGet();
            fire(Call.WRITE, name, file());
            out.write(b, off, len);
        }

        @Override
        protected void writeByte(int b) throws IOException {
            writes.incrementAndGet();
            fire(Call.WRITE, name, file());
            out.write(b);
        }

        @Override
        protected void flushBytes() throws IOException {
            out.flush();
        }

        @Override
        protected void publish() throws IOException {
            commits.incrementAndGet();
            fire(Call.COMMIT, name, file());
            for (Hold h : holds) {
                if (h.files().test(file())) {
                    try {
                        h.release().await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("Cannot commit file: " + file() + " (interrupted while held by"
                                + " FaultInjectingStorage.holdCommits)");
                    }
                }
            }
            out.commit();
            committed(file());
        }

        @Override
        protected void discard() throws IOException {
            out.close();
        }
    }

    private final class FaultyInputStream extends FilterInputStream {
        private final long flipAt;
        private final long truncateAt;
        private final long failAt;
        private final URI file;
        private long position;
        private boolean reported;
        private boolean cut;

        FaultyInputStream(InputStream in, long flipAt, long truncateAt, long failAt, URI file) {
            super(in);
            this.flipAt = flipAt;
            this.truncateAt = truncateAt;
            this.failAt = failAt;
            this.file = file;
        }

        private int allowed(int wanted) throws IOException {
            if (failAt >= 0) {
                if (position >= failAt) {
                    report();
                    throw new InjectedFaultException("Cannot read file: " + file + " (injected fault: connection reset after "
                            + position + " bytes; this is FaultInjectingStorage at work, not a real I/O error)");
                }
                wanted = (int) Math.min(wanted, failAt - position);
            }
            if (truncateAt < 0) {
                return wanted;
            }
            return (int) Math.max(0, Math.min(wanted, truncateAt - position));
        }

        private void report() {
            if (!reported) {
                reported = true;
                injected.incrementAndGet();
            }
        }

        /** End of the truncated stream; counts as a fault only if the file really goes on. */
        private int cutShort() throws IOException {
            if (!cut) {
                cut = true;
                if (in.read() >= 0) {
                    report();
                }
            }
            return -1;
        }

        @Override
        public int read() throws IOException {
            if (allowed(1) == 0) {
                return cutShort();
            }
            int b = in.read();
            if (b >= 0) {
                if (position == flipAt) {
                    b ^= 0xff;
                    report();
                }
                position++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            int n = allowed(len);
            if (n == 0) {
                return cutShort();
            }
            n = in.read(b, off, n);
            if (n > 0) {
                if (flipAt >= position && flipAt < position + n) {
                    b[off + (int) (flipAt - position)] ^= (byte) 0xff;
                    report();
                }
                position += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(truncateAt < 0 ? n : Math.max(0, Math.min(n, truncateAt - position)));
            position += skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            if (failAt >= 0 && position >= failAt) {
                return 0;
            }
            return allowed(in.available());
        }

        @Override
        public boolean markSupported() {
            return false; // positions would go wrong after a reset
        }

        @Override
        public synchronized void mark(int readlimit) {
        }

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("Cannot reset stream: mark/reset is not supported by fault-injected streams");
        }
    }
}
