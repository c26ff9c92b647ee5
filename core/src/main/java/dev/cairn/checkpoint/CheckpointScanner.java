package dev.cairn.checkpoint;

import dev.cairn.CheckpointException;
import dev.cairn.CheckpointIOException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the checkpoints under a directory, committed or not, without reading any part. It
 * recognises the layouts Cairn writes: a single checkpoint location (its files directly inside,
 * as {@code cairn-spark} writes them), and directories of checkpoints nested up to
 * {@link #MAX_DEPTH} levels below, such as a context's checkpoint directory
 * ({@code <dir>/<context-id>/dataset-<id>/}) or a resumable loop's run directory (the same).
 *
 * <p>A directory is a checkpoint when it holds files Cairn writes into one: {@code _manifest.json}
 * (then it is committed), part files ({@code part-NNNNN}), {@code _partitioner}, or the hidden
 * temporary files of a write in progress; or when it is a {@code dataset-<id>} directory of a
 * context. Other files are <em>foreign</em>: reported, never Cairn's to delete. The sub-prefix
 * directories of a spread checkpoint (two hex digits, {@link CheckpointLayout#isSubPrefix}) are
 * part of it: their files are the checkpoint's files, named by their path relative to it
 * ({@link Entry#pathOf}), and a directory holding only such sub-directories with Cairn's files in
 * them (an uncommitted spread checkpoint written where no {@code dataset-<id>} name tells) is a
 * checkpoint too.
 *
 * <p>Deletes nothing. Thread-safe (stateless).
 */
public final class CheckpointScanner {
    /** How many directory levels below the scanned one are searched. */
    public static final int MAX_DEPTH = 3;
    /**
     * Names of files Cairn writes into a checkpoint directory: temporary ones included, and the
     * scratch object a store probe writes next to the first part ({@code .cairn-probe-<id>}),
     * which a process killed during the probe leaves behind.
     */
    private static final Pattern CAIRN_FILE = Pattern.compile(
            "part-\\d{5,}|_manifest\\.json|_partitioner|\\.(part-\\d{5,}|_manifest\\.json|_partitioner)(\\..*)?\\.tmp"
                    + "|\\.cairn-probe-[0-9a-f-]+");

    private CheckpointScanner() {
    }

    /**
     * What a scan found.
     *
     * @param directory          the directory scanned
     * @param entries            every checkpoint found, committed or not, by location
     * @param emptyDirectories   directories found empty on the way (e.g. a context directory whose
     *                           checkpoints were all deleted)
     */
    public record Scan(URI directory, List<Entry> entries, List<URI> emptyDirectories) {

        /** Copies the lists. */
        public Scan {
            entries = List.copyOf(entries);
            emptyDirectories = List.copyOf(emptyDirectories);
        }

        /** The committed checkpoints. */
        public List<Entry> committed() {
            return entries.stream().filter(Entry::committed).toList();
        }

        /** The uncommitted ones: debris of writers that failed or were killed, or writes in progress. */
        public List<Entry> uncommitted() {
            return entries.stream().filter(e -> !e.committed()).toList();
        }
    }

    /**
     * One checkpoint directory.
     *
     * @param location     its URI
     * @param committed    whether it holds {@code _manifest.json}
     * @param manifest     the manifest, or {@code null} when uncommitted or unreadable
     * @param problem      why a present manifest could not be read (a newer format, garbled JSON,
     *                     a store error), or {@code null}
     * @param files        every file in it, those in its sub-prefix directories included
     * @param strays       Cairn's files its manifest does not list (for an uncommitted checkpoint:
     *                     all of Cairn's files): what a clean-up may delete
     * @param foreign      files Cairn does not write, and any sub-directory other than the
     *                     sub-prefixes of a spread checkpoint: never deleted
     * @param lastModified the newest modification time of its files ({@link Instant#EPOCH} when empty)
     */
    public record Entry(URI location, boolean committed, CheckpointManifest manifest, String problem, List<FileStatus> files,
                        List<FileStatus> strays, List<FileStatus> foreign, Instant lastModified) {

        /** Copies the lists. */
        public Entry {
            files = List.copyOf(files);
            strays = List.copyOf(strays);
            foreign = List.copyOf(foreign);
        }

        /**
         * The path of one of its files relative to it: {@code part-00003}, or {@code 3c/part-00003}
         * in a sub-prefix of a spread checkpoint (the name its manifest gives).
         */
        public String pathOf(FileStatus file) {
            return CheckpointLayout.relativePath(location, file.location());
        }

        /** Time since the last modification, as seen now. */
        public Duration age() {
            return Duration.between(lastModified, Instant.now());
        }
    }

    /**
     * Scans {@code directory}.
     *
     * @param options listing waits are not used (a scan lists once); serializer options are not needed
     * @throws CheckpointIOException when the store cannot list a directory
     */
    public static Scan scan(StorageRegistry storage, URI directory, CairnOptions options) {
        URI dir = CheckpointLayout.normalize(directory);
        Storage store = storage.storageFor(dir);
        List<Entry> entries = new ArrayList<>();
        List<URI> empty = new ArrayList<>();
        walk(store, dir, 0, entries, empty);
        entries.sort(Comparator.comparing(e -> e.location().toString()));
        return new Scan(dir, entries, empty);
    }

    private static void walk(Storage store, URI dir, int depth, List<Entry> out, List<URI> empty) {
        List<FileStatus> children = ListingWaiter.list(store, dir, "at " + dir, "scan");
        if (children.isEmpty() && depth > 0 && !isDatasetDirectory(dir)) {
            empty.add(dir);
            return;
        }
        boolean checkpoint = isDatasetDirectory(dir) && depth > 0;
        for (FileStatus f : children) {
            if (!f.directory() && CAIRN_FILE.matcher(f.name()).matches()) {
                checkpoint = true;
            }
        }
        for (FileStatus f : children) {
            if (checkpoint) {
                break;
            }
            if (f.directory() && CheckpointLayout.isSubPrefix(f.name())) {
                checkpoint = ListingWaiter.list(store, f.location(), "at " + dir, "scan").stream()
                        .anyMatch(c -> !c.directory() && CAIRN_FILE.matcher(c.name()).matches());
            }
        }
        if (checkpoint) {
            out.add(entry(store, dir, children));
            return;
        }
        if (depth >= MAX_DEPTH) {
            return;
        }
        for (FileStatus f : children) {
            if (f.directory()) {
                walk(store, f.location(), depth + 1, out, empty);
            }
        }
    }

    private static boolean isDatasetDirectory(URI dir) {
        String path = dir.getPath();
        String name = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return name.matches("dataset-\\d+");
    }

    /** Whether {@code name} is a file Cairn writes into a checkpoint directory. */
    public static boolean isCairnFile(String name) {
        return CAIRN_FILE.matcher(name).matches();
    }

    /**
     * What a checkpoint directory holds: its files and those of its sub-prefix directories
     * ({@code files}), the directories that are not sub-prefixes and any directory below a
     * sub-prefix ({@code directories}), and the sub-prefix directories themselves.
     */
    record Contents(List<FileStatus> files, List<FileStatus> directories, List<FileStatus> subPrefixes) {
    }

    /** Lists the sub-prefix directories among {@code children} (the listing of {@code location}) too. */
    static Contents contents(Storage store, URI location, List<FileStatus> children, String verb) {
        List<FileStatus> files = new ArrayList<>();
        List<FileStatus> directories = new ArrayList<>();
        List<FileStatus> subPrefixes = new ArrayList<>();
        for (FileStatus f : children) {
            if (!f.directory()) {
                files.add(f);
            } else if (CheckpointLayout.isSubPrefix(f.name())) {
                subPrefixes.add(f);
                for (FileStatus g : ListingWaiter.list(store, f.location(), "at " + location, verb)) {
                    (g.directory() ? directories : files).add(g);
                }
            } else {
                directories.add(f);
            }
        }
        return new Contents(files, directories, subPrefixes);
    }

    private static Entry entry(Storage store, URI location, List<FileStatus> children) {
        Contents contents = contents(store, location, children, "scan");
        List<FileStatus> files = contents.files();
        boolean committed = files.stream().anyMatch(f -> f.name().equals(CheckpointManifest.FILE_NAME))
                || manifestExists(store, location); // a fresh manifest may be missing from a lagging listing
        Instant newest = Instant.EPOCH;
        for (FileStatus f : files) {
            if (f.modified().isAfter(newest)) {
                newest = f.modified();
            }
        }
        CheckpointManifest manifest = null;
        String problem = null;
        if (committed) {
            try {
                manifest = CheckpointFiles.readManifest(store, location, NO_WAIT, "at " + location);
            } catch (CheckpointException e) {
                problem = e.getMessage();
            }
        }
        java.util.function.Function<FileStatus, String> path = f -> CheckpointLayout.relativePath(location, f.location());
        Set<String> listed = new HashSet<>();
        if (manifest != null) {
            manifest.parts().forEach(p -> listed.add(p.name()));
            listed.add(CheckpointManifest.FILE_NAME);
            if (manifest.partitioner() != null) {
                listed.add(CheckpointManifest.PARTITIONER_FILE);
            }
        } else if (committed) {
            // An unreadable manifest: nothing in the directory can be judged stray.
            files.forEach(f -> listed.add(path.apply(f)));
        }
        List<FileStatus> strays = new ArrayList<>();
        List<FileStatus> foreign = new ArrayList<>();
        foreign.addAll(contents.directories());
        for (FileStatus f : files) {
            if (!isCairnFile(f.name())) {
                foreign.add(f);
            } else if (!listed.contains(path.apply(f))) {
                strays.add(f);
            }
        }
        return new Entry(location, committed, manifest, problem, files, strays, foreign, newest);
    }

    private static boolean manifestExists(Storage store, URI location) {
        try {
            store.stat(CheckpointLayout.child(location, CheckpointManifest.FILE_NAME));
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (java.io.IOException e) {
            throw new CheckpointIOException("scan", "at " + location, location, CheckpointManifest.FILE_NAME,
                    "expected to learn whether the checkpoint is committed, found an error: " + e, e);
        }
    }

    private static final ListingWaiter NO_WAIT = new ListingWaiter(Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1));
}
