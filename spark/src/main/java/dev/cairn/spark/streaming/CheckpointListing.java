package dev.cairn.spark.streaming;

import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listings of a streaming checkpoint's directories, complete even on a store whose listings lag
 * behind writes.
 *
 * <p>Spark finds its newest offsets and commits by listing ({@code offsets/0, 1, 2 …}, the
 * highest number wins), and so do the file source and sink logs and the state store's cleanup.
 * A listing that misses the newest file sends a restarted query back to an older batch: it
 * processes that batch again, and then fails to write the next batch's offsets, which already
 * exist. On a store whose listings are {@link ListingConsistency#STRONG strong} one listing is
 * returned as it is. On an {@link ListingConsistency#EVENTUAL eventual} one the listing is
 * completed with the files that are known to exist although it does not show them:
 * <ol>
 *   <li><b>This process's own writes.</b> Every file published through the manager is remembered
 *       (the newest {@value #REMEMBERED_PER_DIRECTORY} per directory) until a listing shows it or it
 *       is deleted. A remembered file missing from a listing is looked up directly ({@code stat},
 *       a HEAD on S3). Cairn's storage contract makes a published file visible to {@code stat} as
 *       soon as its commit returns, whatever the listings do; so a file the lookup does not find
 *       was deleted since (by another of Spark's managers for the same directory), and is
 *       forgotten.</li>
 *   <li><b>The files after the newest one listed.</b> Spark numbers its files ({@code 7},
 *       {@code 7.compact}, {@code 7.delta}, {@code 7.snapshot}, {@code 7.zip}). After the highest
 *       number listed, the next numbers are looked up with every suffix the directory uses (and
 *       the suffixes Spark writes beside them: {@code .snapshot} beside {@code .delta}), until one
 *       number finds nothing; in an empty directory, a log's first file {@code 0} and a state
 *       store's {@code 1.delta} first. This finds what another
 *       process (the driver before a restart) wrote just before the listing, which no memory of
 *       this process can know. Gaps below the highest number are not searched: Spark's logs
 *       assume their numbers are continuous and read the ones in between by name.</li>
 * </ol>
 * Nothing is waited for. A wait for the listing to catch up could only wait for files one knows
 * of, and those are looked up instead, at once; it would add the store's lag to every batch, and
 * a wait for a file another manager deleted would stall the query for the whole timeout. What
 * this cannot find: a file another process wrote that a listing does not show and that is not
 * numbered after the newest one listed; and anything on a store whose reads lag too, which
 * breaks the storage contract.
 *
 * <p>Names starting with {@code .} are left out of every listing: they are temporary files of
 * writes in progress or of writers that died (Cairn's storages name them so), never checkpoint
 * files, and Spark's own listings would otherwise show them as strays.
 *
 * <p>Thread-safe.
 */
final class CheckpointListing {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointListing.class);
    /** How many unlisted own writes are remembered per directory: Spark writes a handful per batch. */
    static final int REMEMBERED_PER_DIRECTORY = 64;
    /** The most numbers looked up after the newest one listed, per listing. */
    private static final int MAX_PROBED_NUMBERS = 1000;
    /** Spark's numbered checkpoint files: a batch or version number, optionally one suffix. */
    private static final Pattern NUMBERED = Pattern.compile("(\\d{1,18})(\\.[A-Za-z]+)?");
    /**
     * Suffixes Spark writes side by side, so that seeing one means looking for the other too:
     * metadata logs and their compactions ({@code 9}, {@code 9.compact}), the HDFS-backed state
     * store's deltas and snapshots, RocksDB's snapshots and change logs.
     */
    private static final Map<String, List<String>> FAMILIES = Map.of(
            "", List.of(".compact"), ".compact", List.of(""),
            ".delta", List.of(".snapshot"), ".snapshot", List.of(".delta"),
            ".zip", List.of(".changelog"), ".changelog", List.of(".zip"));
    /** The first files of Spark's numbered directories: a metadata log's batch 0, a state store's version 1. */
    private static final List<String> FIRST_FILES = List.of("0", "1.delta");

    /** Directory → names published here and not yet seen listed, oldest first. */
    private final Map<URI, LinkedHashMap<String, Boolean>> unlisted = new HashMap<>();

    /** Notes a file this process published, for listings of its directory on an eventual store. */
    synchronized void published(Storage storage, URI file) {
        if (storage.listing() != ListingConsistency.EVENTUAL) {
            return;
        }
        unlisted.computeIfAbsent(parent(file), d -> new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > REMEMBERED_PER_DIRECTORY;
            }
        }).put(name(file), Boolean.TRUE);
    }

    /** Forgets a deleted file, or everything under a deleted directory. */
    synchronized void deleted(URI fileOrDirectory) {
        LinkedHashMap<String, Boolean> names = unlisted.get(parent(fileOrDirectory));
        if (names != null) {
            names.remove(name(fileOrDirectory));
        }
        String prefix = withSlash(fileOrDirectory);
        unlisted.keySet().removeIf(dir -> withSlash(dir).startsWith(prefix));
    }

    /** The direct children of {@code dir} (no names starting with {@code .}), completed as the class javadoc says. */
    List<FileStatus> list(Storage storage, URI directory) throws IOException {
        URI dir = new Path(directory).toUri(); // the form published() keys by
        Map<String, FileStatus> found = listVisible(storage, dir);
        if (storage.listing() != ListingConsistency.EVENTUAL) {
            return new ArrayList<>(found.values());
        }
        for (String name : ownWritesMissingFrom(dir, found.keySet())) {
            FileStatus s = statOrNull(storage, child(dir, name));
            if (s != null) {
                found.put(name, s);
            } else {
                forget(dir, name); // deleted since it was published
            }
        }
        probeNewer(storage, dir, found);
        return new ArrayList<>(found.values());
    }

    private static Map<String, FileStatus> listVisible(Storage storage, URI dir) throws IOException {
        Map<String, FileStatus> found = new LinkedHashMap<>();
        for (FileStatus s : storage.list(dir)) {
            if (!s.name().startsWith(".")) {
                found.put(s.name(), s);
            }
        }
        return found;
    }

    /** Own writes of {@code dir} the listing does not show; those it shows are forgotten. */
    private synchronized Set<String> ownWritesMissingFrom(URI dir, Set<String> listed) {
        LinkedHashMap<String, Boolean> names = unlisted.get(dir);
        if (names == null) {
            return Set.of();
        }
        names.keySet().removeAll(listed);
        return new LinkedHashSet<>(names.keySet());
    }

    private synchronized void forget(URI dir, String name) {
        LinkedHashMap<String, Boolean> names = unlisted.get(dir);
        if (names != null) {
            names.remove(name);
        }
    }

    /** Looks up the numbers after the highest one found, with every suffix in use, until one finds nothing. */
    private static void probeNewer(Storage storage, URI dir, Map<String, FileStatus> found) throws IOException {
        List<String> added = new ArrayList<>();
        if (found.isEmpty()) {
            // An empty listing may hide a log's or a state store's first files: look for those.
            for (String first : FIRST_FILES) {
                FileStatus s = statOrNull(storage, child(dir, first));
                if (s != null && !s.directory()) {
                    found.put(first, s);
                    added.add(first);
                }
            }
        }
        long highest = -1;
        Set<String> suffixes = new TreeSet<>();
        for (FileStatus s : found.values()) {
            Matcher m = NUMBERED.matcher(s.name());
            if (!s.directory() && m.matches()) {
                highest = Math.max(highest, Long.parseLong(m.group(1)));
                String suffix = m.group(2) == null ? "" : m.group(2);
                suffixes.add(suffix);
                suffixes.addAll(FAMILIES.getOrDefault(suffix, List.of()));
            }
        }
        for (long n = highest + 1; highest >= 0 && n <= highest + MAX_PROBED_NUMBERS; n++) {
            boolean any = false;
            for (String suffix : suffixes) {
                String name = n + suffix;
                FileStatus s = found.containsKey(name) ? found.get(name) : statOrNull(storage, child(dir, name));
                if (s != null && !s.directory()) {
                    if (found.put(name, s) == null) {
                        added.add(name);
                    }
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        if (!added.isEmpty()) {
            LOG.debug("The listing of {} did not show {}, which exist: added them (the store's listings lag behind its writes)",
                    dir, added);
        }
    }

    private static FileStatus statOrNull(Storage storage, URI file) throws IOException {
        try {
            return storage.stat(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    static URI child(URI dir, String name) {
        return new Path(new Path(dir), name).toUri();
    }

    static URI parent(URI file) {
        Path parent = new Path(file).getParent();
        return parent == null ? file : parent.toUri();
    }

    static String name(URI file) {
        return new Path(file).getName();
    }

    private static String withSlash(URI dir) {
        String s = dir.toString();
        return s.endsWith("/") ? s : s + "/";
    }
}
