package dev.cairn.spark.streaming;

import dev.cairn.storage.Storage;
import dev.cairn.storage.hdfs.HadoopStorage;
import dev.cairn.storage.local.LocalStorage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out, once per store and JVM, how a publish without overwrite is kept from replacing a
 * file ({@link NoOverwrite}), and says so in the log: INFO when it is atomic, WARN when two
 * racing writers could both succeed. Spark creates a checkpoint file manager for every log and
 * every state store partition, so the answer is kept for the JVM, not per manager.
 *
 * <p>Cairn's storage SPI does not describe this ability; it is read here from the storages
 * Cairn ships ({@code file://}: whether the directory's file system makes hard links, which is
 * how {@code LocalStorage} publishes without overwrite; {@code hdfs://}: rename or direct
 * write; {@code s3://}: what the store's probe found).
 *
 * <p>Thread-safe.
 */
final class Guarantees {
    private static final Logger LOG = LoggerFactory.getLogger(CairnCheckpointFileManager.class);
    /** Store key → what was found; UNKNOWN answers are not kept, a later write may know better. */
    private static final Map<String, Found> FOUND = new ConcurrentHashMap<>();

    /** A guarantee and the reason for it, for the log. */
    record Found(NoOverwrite guarantee, String why) {
    }

    private Guarantees() {
    }

    /**
     * The guarantee for no-overwrite publishes of {@code file} (an existing file or directory
     * under the checkpoint, whose directory exists), logged the first time it is known.
     */
    static NoOverwrite of(Storage storage, URI file) {
        String key = key(storage, file);
        Found known = FOUND.get(key);
        if (known != null) {
            return known.guarantee();
        }
        Found found = find(storage, file);
        if (found.guarantee() == NoOverwrite.UNKNOWN) {
            return found.guarantee();
        }
        if (FOUND.putIfAbsent(key, found) == null) {
            String where = file.getScheme() + "://" + (file.getAuthority() == null ? "" : file.getAuthority());
            if (found.guarantee() == NoOverwrite.ATOMIC) {
                LOG.info("Streaming checkpoints on {}: files published without overwrite are refused atomically when they"
                        + " exist ({}); a second query on the same checkpoint location fails", where, found.why());
            } else {
                LOG.warn("Streaming checkpoints on {}: files published without overwrite are only checked for before they are"
                        + " published ({}); two queries writing the same checkpoint location at the same moment may both"
                        + " succeed, the later one replacing the other's file. Run one query per checkpoint location", where,
                        found.why());
            }
        }
        return found.guarantee();
    }

    /**
     * What the answer depends on: the mounted file system for {@code file://} (hard links are a
     * property of the mount), else the storage's settings (an S3 endpoint, a Hadoop scheme and how
     * it publishes) and the authority. Several storages of one store (Spark runs a query's threads
     * under other class loaders, and each gets its own registry) share one answer and one log line.
     */
    private static String key(Storage storage, URI file) {
        if (storage instanceof LocalStorage) {
            Path dir = parentDirectory(file);
            try {
                return "file " + Files.getFileStore(dir);
            } catch (IOException e) {
                return "file " + dir;
            }
        }
        return storage + " " + file.getScheme() + "://" + (file.getAuthority() == null ? "" : file.getAuthority());
    }

    private static Found find(Storage storage, URI file) {
        if (storage instanceof LocalStorage) {
            return hardLinks(parentDirectory(file));
        }
        if (storage instanceof HadoopStorage hadoop) {
            if (hadoop.publishesByRename()) {
                return new Found(NoOverwrite.ATOMIC, hadoop.scheme() + ": a rename that refuses an existing target"
                        + " (Hadoop's rename with Rename.NONE)");
            }
            return new Found(NoOverwrite.CHECKED, hadoop.scheme() + ": written directly to its name, checked for before"
                    + " the upload completes; Hadoop's connector has no conditional write");
        }
        if (S3NoOverwrite.STORAGE_CLASS.equals(storage.getClass().getName())) {
            return S3NoOverwrite.of(storage);
        }
        return new Found(NoOverwrite.UNKNOWN, storage.getClass().getName() + " does not say");
    }

    /** A hard link in the checkpoint's own directory: how LocalStorage refuses to overwrite, where the mount allows it. */
    private static Found hardLinks(Path dir) {
        Path probe = dir.resolve(".cairn-link-probe-" + UUID.randomUUID());
        Path link = dir.resolve(probe.getFileName() + ".link");
        try {
            Files.createFile(probe);
            try {
                Files.createLink(link, probe);
                return new Found(NoOverwrite.ATOMIC, "a hard link that fails if the name exists");
            } catch (IOException | UnsupportedOperationException e) {
                return new Found(NoOverwrite.CHECKED, "the mount at " + dir + " makes no hard links (" + e
                        + "), so a check is followed by a rename; SMB and some FUSE mounts behave so");
            }
        } catch (IOException e) {
            return new Found(NoOverwrite.UNKNOWN, "could not probe " + dir + " for hard links: " + e);
        } finally {
            try {
                Files.deleteIfExists(link);
                Files.deleteIfExists(probe);
            } catch (IOException e) {
                LOG.debug("Cannot remove hard-link probe {} in {}", probe, dir, e);
            }
        }
    }

    /** The directory {@code file} is in, or {@code file} itself if it is one. */
    private static Path parentDirectory(URI file) {
        Path p = Path.of(URI.create(file.toASCIIString()));
        return Files.isDirectory(p) ? p : p.getParent();
    }
}
