package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.CorruptPartException;
import dev.cairn.IncompatibleCheckpointException;
import dev.cairn.MissingPartException;
import dev.cairn.Partitioner;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads and writes the small files of a checkpoint ({@code _manifest.json}, {@code _partitioner})
 * and checks a checkpoint directory against its manifest. Every failure names the dataset,
 * the directory and the file.
 */
public final class CheckpointFiles {
    private CheckpointFiles() {
    }

    /**
     * Writes {@code _manifest.json}; refuses to replace one that exists (a checkpoint is committed once).
     *
     * @return the manifest's length in bytes
     */
    public static long writeManifest(Storage storage, URI location, CheckpointManifest manifest, String label) {
        byte[] json = manifest.toJson();
        writeSmallFile(storage, location, CheckpointManifest.FILE_NAME, json, false, label);
        return json.length;
    }

    /** Writes {@code _partitioner} (Java serialization: partitioners are {@link java.io.Serializable}) and returns its CRC32C. */
    public static long writePartitioner(Storage storage, URI location, Partitioner partitioner, String label) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(partitioner);
        } catch (IOException e) {
            throw new CairnException("Cannot write checkpoint of dataset " + label + ": " + location + "/" + CheckpointManifest.PARTITIONER_FILE
                    + " (expected a serializable partitioner, found " + partitioner.getClass().getName() + ": " + e + ")", e);
        }
        byte[] data = bytes.toByteArray();
        writeSmallFile(storage, location, CheckpointManifest.PARTITIONER_FILE, data, true, label);
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    private static void writeSmallFile(Storage storage, URI location, String name, byte[] data, boolean overwrite, String label) {
        try (StorageOutput out = storage.create(CheckpointLayout.child(location, name), overwrite)) {
            out.write(data);
            out.commit();
        } catch (IOException e) {
            throw new CairnException("Cannot write checkpoint of dataset " + label + ": " + location + "/" + name
                    + " (expected to publish " + data.length + " bytes, found an error: " + e + ")", e);
        }
    }

    /**
     * Reads and parses {@code _manifest.json}. On a store with eventual listings the manifest of
     * a just-written checkpoint may not be readable yet, so a missing manifest is retried until
     * the waiter's timeout.
     *
     * @throws MissingPartException            when there is no manifest (the message says what the directory holds)
     * @throws IncompatibleCheckpointException  for a newer format version
     * @throws CorruptPartException             for a manifest that cannot be parsed
     */
    public static CheckpointManifest readManifest(Storage storage, URI location, ListingWaiter waiter, String label) {
        URI file = CheckpointLayout.child(location, CheckpointManifest.FILE_NAME);
        long deadline = System.nanoTime() + waiter.timeout().toNanos();
        long delayMillis = 50;
        byte[] json;
        while (true) {
            try (InputStream in = storage.open(file)) {
                json = in.readAllBytes();
                break;
            } catch (NoSuchFileException e) {
                boolean eventual = storage.capabilities().listing() == ListingConsistency.EVENTUAL;
                if (!eventual || System.nanoTime() > deadline) {
                    throw new MissingPartException("read", label, location, CheckpointManifest.FILE_NAME,
                            "expected a committed checkpoint with its manifest, found " + describe(storage, location)
                                    + (eventual ? " after waiting " + waiter.timeout().toMillis() + " ms (the store is eventually"
                                    + " consistent: a manifest written moments ago may still appear)" : ""), e);
                }
                sleep(delayMillis, label, location);
                delayMillis = Math.min(delayMillis * 2, 2000);
            } catch (IOException e) {
                throw new CorruptPartException("read", label, location, CheckpointManifest.FILE_NAME,
                        "expected a readable manifest, found an error: " + e, e);
            }
        }
        try {
            return CheckpointManifest.parse(json);
        } catch (CheckpointManifest.FormatException e) {
            if (e.newerVersion()) {
                throw new IncompatibleCheckpointException("read", label, location, CheckpointManifest.FILE_NAME, e.getMessage(), e);
            }
            throw new CorruptPartException("read", label, location, CheckpointManifest.FILE_NAME, e.getMessage(), e);
        }
    }

    /** What a directory without a manifest holds, in words, for error messages. */
    private static String describe(Storage storage, URI location) {
        try {
            List<FileStatus> files = storage.list(location);
            if (files.isEmpty()) {
                return "nothing at that location (wrong path, or a checkpoint that was deleted)";
            }
            long parts = files.stream().filter(f -> f.name().startsWith("part-")).count();
            return "no _manifest.json but " + files.size() + " entries (" + parts
                    + " part files): an uncommitted checkpoint whose writer failed or was killed before the commit";
        } catch (IOException e) {
            return "no _manifest.json, and the directory cannot be listed: " + e;
        }
    }

    /** Reads {@code _partitioner} and checks it against the manifest's CRC32C; {@code null} when the checkpoint has none. */
    public static Partitioner readPartitioner(Storage storage, URI location, CheckpointManifest manifest, String label) {
        if (manifest.partitioner() == null) {
            return null;
        }
        byte[] data;
        try (InputStream in = storage.open(CheckpointLayout.child(location, CheckpointManifest.PARTITIONER_FILE))) {
            data = in.readAllBytes();
        } catch (NoSuchFileException e) {
            throw new MissingPartException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected the " + manifest.partitioner() + " the manifest names, found no file", e);
        } catch (IOException e) {
            throw new CorruptPartException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected a readable partitioner, found an error: " + e, e);
        }
        CRC32C crc = new CRC32C();
        crc.update(data);
        if (crc.getValue() != manifest.partitionerCrc32c()) {
            throw new CorruptPartException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected CRC32C " + PartReader.hex(manifest.partitionerCrc32c()) + ", found " + PartReader.hex(crc.getValue()), null);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(data))) {
            return (Partitioner) in.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new CorruptPartException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected a serialized " + manifest.partitioner() + ", found " + e, e);
        }
    }

    /**
     * Waits until the listing shows every file the manifest names with its size, and checks the
     * manifest against itself (one part per partition, named in order).
     */
    public static ListingWaiter.Result awaitFiles(Storage storage, URI location, CheckpointManifest manifest, ListingWaiter waiter,
                                                  String label, String verb) {
        return awaitFiles(storage, location, manifest, false, waiter, label, verb);
    }

    /**
     * As {@link #awaitFiles(Storage, URI, CheckpointManifest, ListingWaiter, String, String)}, and
     * also waits for {@code _manifest.json} itself when {@code withManifest}: the writer of a
     * checkpoint knows its manifest before any reader can see it.
     */
    public static ListingWaiter.Result awaitFiles(Storage storage, URI location, CheckpointManifest manifest, boolean withManifest,
                                                  ListingWaiter waiter, String label, String verb) {
        if (manifest.parts().size() != manifest.numPartitions()) {
            throw new CorruptPartException(verb, label, location, CheckpointManifest.FILE_NAME, "expected one part per partition ("
                    + manifest.numPartitions() + "), found " + manifest.parts().size() + " parts listed", null);
        }
        Map<String, Long> expected = new LinkedHashMap<>();
        for (int i = 0; i < manifest.parts().size(); i++) {
            CheckpointManifest.Part p = manifest.parts().get(i);
            if (!p.name().equals(CheckpointManifest.partName(i))) {
                throw new CorruptPartException(verb, label, location, CheckpointManifest.FILE_NAME,
                        "expected part " + i + " to be named " + CheckpointManifest.partName(i) + ", found " + p.name(), null);
            }
            expected.put(p.name(), p.bytes());
        }
        if (withManifest) {
            expected.put(CheckpointManifest.FILE_NAME, -1L);
        }
        if (manifest.partitioner() != null) {
            // Its length is not in the manifest (its CRC32C is, checked on read): presence is what a lagging listing can hide.
            expected.put(CheckpointManifest.PARTITIONER_FILE, -1L);
        }
        return waiter.await(storage, location, expected, Set.of(CheckpointManifest.FILE_NAME, CheckpointManifest.PARTITIONER_FILE),
                label, verb);
    }

    private static void sleep(long millis, String label, URI location) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CairnException("Cannot read checkpoint of dataset " + label + ": " + location + " (interrupted)", e);
        }
    }
}
