package dev.cairn.cli;

import dev.cairn.CheckpointIOException;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointScanner;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes a committed checkpoint file by file, and looks into checkpoint directories, through
 * the storage SPI: the format API deletes only debris ({@code OrphanSweeper}) and
 * {@code CairnContext.deleteCheckpoint} deletes a whole directory, files Cairn does not write
 * included. This is the one class of the command line that uses {@link Storage} directly.
 */
final class CheckpointDeleter {
    private final StorageRegistry storage;

    CheckpointDeleter(StorageRegistry storage) {
        this.storage = storage;
    }

    /**
     * Whether the checkpoint directory holds directories other than the sub-prefixes of a spread
     * checkpoint (the scanner reports those as foreign). A sweep deletes an uncommitted
     * checkpoint with everything under it: such a directory is nothing Cairn writes, so the
     * checkpoint is left to a person.
     */
    static boolean holdsDirectories(CheckpointScanner.Entry entry) {
        return entry.foreign().stream().anyMatch(FileStatus::directory);
    }

    /**
     * Deletes a committed checkpoint's files: {@code _manifest.json} first, so that an
     * interrupted deletion leaves an uncommitted checkpoint (never read, swept later) rather than
     * a committed one with parts missing; then every other file Cairn writes (those in the
     * sub-prefixes of a spread checkpoint too); then each sub-prefix and the directory if nothing
     * is left in them. Files Cairn does not write stay.
     *
     * @return what was deleted
     * @throws CheckpointIOException when the store fails
     */
    List<URI> deleteCommitted(CheckpointScanner.Entry entry) {
        Storage store = storage.storageFor(entry.location());
        List<URI> deleted = new ArrayList<>();
        List<FileStatus> files = new ArrayList<>(entry.files());
        files.sort((a, b) -> Boolean.compare(!a.name().equals(CheckpointManifest.FILE_NAME), !b.name().equals(CheckpointManifest.FILE_NAME)));
        for (FileStatus f : files) {
            if (CheckpointScanner.isCairnFile(f.name())) {
                delete(store, entry.location(), f.location());
                deleted.add(f.location());
            }
        }
        try {
            for (FileStatus sub : store.list(entry.location())) {
                if (sub.directory() && CheckpointLayout.isSubPrefix(sub.name()) && store.list(sub.location()).isEmpty()) {
                    store.delete(sub.location()); // an emptied sub-prefix of a spread checkpoint (a directory on a file system)
                }
            }
            if (store.list(entry.location()).isEmpty()) {
                store.delete(entry.location()); // a file system keeps the empty directory; an object store has none
            }
        } catch (IOException e) {
            throw new CheckpointIOException("gc", "at " + entry.location(), entry.location(), null,
                    "expected to remove the emptied checkpoint directory, found an error: " + e, e);
        }
        return deleted;
    }

    private static void delete(Storage store, URI location, URI file) {
        try {
            store.delete(file);
        } catch (IOException e) {
            throw new CheckpointIOException("gc", "at " + location, location, file.toString().substring(location.toString().length() + 1),
                    "expected to delete the file, found an error: " + e + "; files deleted before it are gone, run gc again", e);
        }
    }
}
