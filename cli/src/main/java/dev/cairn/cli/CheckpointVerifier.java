package dev.cairn.cli;

import dev.cairn.CairnException;
import dev.cairn.CheckpointException;
import dev.cairn.CorruptPartException;
import dev.cairn.IncompatibleCheckpointException;
import dev.cairn.MissingPartException;
import dev.cairn.PartitionCountMismatchException;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.checkpoint.CheckpointManifest;
import dev.cairn.checkpoint.CheckpointReader;
import dev.cairn.checkpoint.CheckpointScanner;
import dev.cairn.checkpoint.PartIterator;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.StorageRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a whole checkpoint and reports every problem, not only the first: the manifest (present,
 * readable, not of a newer format), every part re-read in parallel (present, length, every
 * block's and the whole file's CRC32C, and the record count where the record classes can be
 * loaded), files the manifest does not list, the number of part files, {@code _partitioner}.
 *
 * <p>Core's {@link CheckpointReader#open} stops at the first problem, as a job must; an operator
 * wants the whole list. Built on the format API: {@link CheckpointReader#openManifest},
 * {@link CheckpointReader#verifyPart}, {@link CheckpointReader#openPart} and
 * {@link CheckpointScanner} for the listing.
 */
final class CheckpointVerifier {
    /** A part file's path relative to the checkpoint: in it, or in a sub-prefix of a spread checkpoint. */
    private static final Pattern PART_FILE = Pattern.compile("([0-9a-f]{2}/)?part-\\d{5,}");
    private static final Pattern BYTES = Pattern.compile("expected (\\d+) bytes, found (\\d+)");

    private final StorageRegistry storage;
    private final CairnOptions options;
    private final ClassLoader loader;
    private final int parallelism;
    private final boolean decodeRecords;
    private final Integer expectPartitions;

    /**
     * @param loader           loads record classes (set as the workers' context class loader)
     * @param parallelism      parts read at once
     * @param decodeRecords    also decode every record to check the record count
     * @param expectPartitions the partition count the caller expects, or {@code null}
     */
    CheckpointVerifier(StorageRegistry storage, CairnOptions options, ClassLoader loader, int parallelism, boolean decodeRecords,
                       Integer expectPartitions) {
        this.storage = storage;
        this.options = options;
        this.loader = loader;
        this.parallelism = parallelism;
        this.decodeRecords = decodeRecords;
        this.expectPartitions = expectPartitions;
    }

    /**
     * What a verification found.
     *
     * @param location       the checkpoint
     * @param dataset        the dataset as the manifest names it, or {@code at <location>}
     * @param manifest       the manifest, or {@code null} when it could not be read
     * @param problems       every problem, manifest and directory first, then by part
     * @param partsChecked   parts read
     * @param partsIntact    parts read without a problem
     * @param bytes          bytes of the parts read
     * @param records        records decoded and counted
     * @param recordsChecked whether every part's records were decoded and counted
     * @param recordsNote    why records were not counted, or {@code null}
     * @param foreign        files Cairn does not write (never a problem, reported for information)
     */
    record Report(URI location, String dataset, CheckpointManifest manifest, List<Failure> problems, int partsChecked, int partsIntact,
                  long bytes, long records, boolean recordsChecked, String recordsNote, List<FileStatus> foreign) {

        /** Whether nothing is wrong. */
        boolean ok() {
            return problems.isEmpty();
        }
    }

    /**
     * Verifies the checkpoint at {@code location}.
     *
     * @param progress makes the progress display, given the number of parts
     */
    Report verify(URI location, LongFunction<Progress> progress) {
        CheckpointReader header;
        try {
            header = CheckpointReader.openManifest(storage, location, options);
        } catch (MissingPartException e) {
            return withoutManifest(location, e);
        } catch (CheckpointException e) {
            // a newer format, a garbled manifest, the store failing: nothing further can be judged
            return new Report(location, "at " + location, null, List.of(Failure.of(e)), 0, 0, 0, 0, false, null, List.of());
        }
        CheckpointManifest manifest = header.manifest();
        String dataset = header.dataset();
        List<Failure> problems = new ArrayList<>();

        CheckpointScanner.Entry entry = entryAt(CheckpointScanner.scan(storage, location, options), location);
        Map<String, FileStatus> listed = new HashMap<>();
        List<FileStatus> foreign = List.of();
        if (entry != null) {
            entry.files().forEach(f -> listed.put(entry.pathOf(f), f)); // by path: 3c/part-00003 in a spread checkpoint
            foreign = entry.foreign();
            for (FileStatus stray : entry.strays()) {
                String path = entry.pathOf(stray);
                problems.add(Failure.of(Failure.EXTRA, new CorruptPartException("verify", dataset, location, path,
                        "expected only the files _manifest.json lists, found " + path + " of " + stray.length()
                                + " bytes; debris of a failed or killed writer, never read: cairn gc removes it", null)));
            }
        }
        for (int i = 0; i < manifest.parts().size(); i++) {
            String name = manifest.parts().get(i).name();
            if (!CheckpointLayout.isPartPath(name, i)) { // the parser refuses such a manifest already; kept for manifests built in code
                problems.add(Failure.of(Failure.CORRUPT, new CorruptPartException("verify", dataset, location, CheckpointManifest.FILE_NAME,
                        "expected part " + i + " at " + CheckpointManifest.partName(i) + " or <two hex digits>/"
                                + CheckpointManifest.partName(i) + ", found " + name, null)));
            }
        }
        long partFiles = listed.keySet().stream().filter(n -> PART_FILE.matcher(n).matches()).count();
        if (entry != null && partFiles != manifest.numPartitions()) {
            problems.add(Failure.of(Failure.COUNT, new PartitionCountMismatchException("verify", dataset, location, null,
                    "expected " + manifest.numPartitions() + " part files as _manifest.json lists, found " + partFiles, null)));
        }
        if (expectPartitions != null) {
            try {
                header.expectPartitions(expectPartitions);
            } catch (PartitionCountMismatchException e) {
                problems.add(Failure.of(Failure.COUNT, e));
            }
        }
        if (manifest.partitioner() != null && entry != null && !listed.containsKey(CheckpointManifest.PARTITIONER_FILE)) {
            problems.add(Failure.of(Failure.MISSING, new MissingPartException("verify", dataset, location,
                    CheckpointManifest.PARTITIONER_FILE, "expected the " + manifest.partitioner() + " the manifest names, found no file",
                    null)));
        }

        Parts parts = readParts(header, listed, progress);
        problems.addAll(parts.problems);
        if (manifest.partitioner() != null && parts.problems.isEmpty() && listed.containsKey(CheckpointManifest.PARTITIONER_FILE)) {
            checkPartitioner(location, problems);
        }
        boolean recordsChecked = decodeRecords && parts.recordsNote.get() == null;
        return new Report(location, dataset, manifest, problems, manifest.numPartitions(), parts.intact.get(), parts.bytes(),
                parts.records(), recordsChecked, decodeRecords ? parts.recordsNote.get() : "not decoded (--checksums-only)", foreign);
    }

    /** No manifest: an uncommitted checkpoint, a directory of checkpoints, or nothing at all. */
    private Report withoutManifest(URI location, MissingPartException e) {
        CheckpointScanner.Scan scan = CheckpointScanner.scan(storage, location, options);
        CheckpointScanner.Entry entry = entryAt(scan, location);
        Failure problem;
        if (entry != null) {
            problem = Failure.of(Failure.UNCOMMITTED, e);
        } else if (!scan.entries().isEmpty()) {
            problem = Failure.of(Failure.MISSING, new MissingPartException("verify", "at " + location, location, CheckpointManifest.FILE_NAME,
                    "expected a checkpoint at this location, found a directory holding " + scan.entries().size()
                            + " checkpoints, e.g. " + scan.entries().get(0).location() + "; verify each location cairn ls lists", e));
        } else {
            problem = Failure.of(Failure.MISSING, e);
        }
        return new Report(location, "at " + location, null, List.of(problem), 0, 0, 0, 0, false, null,
                entry == null ? List.of() : entry.foreign());
    }

    private static CheckpointScanner.Entry entryAt(CheckpointScanner.Scan scan, URI location) {
        for (CheckpointScanner.Entry e : scan.entries()) {
            if (e.location().equals(location)) {
                return e;
            }
        }
        return null;
    }

    /** What the parallel read of the parts found. */
    private static final class Parts {
        final List<Failure> problems = new ArrayList<>();
        final AtomicInteger intact = new AtomicInteger();
        final AtomicReference<String> recordsNote = new AtomicReference<>();
        final long[] bytesRead;
        final long[] recordsRead;

        Parts(int n) {
            bytesRead = new long[n];
            recordsRead = new long[n];
        }

        long bytes() {
            long sum = 0;
            for (long b : bytesRead) {
                sum += b;
            }
            return sum;
        }

        long records() {
            long sum = 0;
            for (long r : recordsRead) {
                sum += r;
            }
            return sum;
        }
    }

    private Parts readParts(CheckpointReader reader, Map<String, FileStatus> listed, LongFunction<Progress> progressFactory) {
        CheckpointManifest manifest = reader.manifest();
        int n = manifest.numPartitions();
        Parts parts = new Parts(n);
        if (n == 0) {
            return parts;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, n), r -> {
            Thread t = new Thread(r, "cairn-verify");
            t.setDaemon(true);
            t.setContextClassLoader(loader);
            return t;
        });
        try (Progress progress = progressFactory.apply(n)) {
            List<Future<Failure>> results = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int partition = i;
                results.add(pool.submit(() -> {
                    Failure f = checkPart(reader, partition, listed.get(manifest.parts().get(partition).name()), parts);
                    progress.step(manifest.parts().get(partition).bytes());
                    return f;
                }));
            }
            for (Future<Failure> r : results) {
                Failure f = r.get();
                if (f == null) {
                    parts.intact.incrementAndGet();
                } else {
                    parts.problems.add(f);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CairnException("Cannot verify checkpoint " + reader.location() + " (interrupted)", e);
        } catch (ExecutionException e) {
            throw new CairnException("Cannot verify checkpoint " + reader.location() + " (expected every part checked, found "
                    + e.getCause() + ")", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return parts;
    }

    /** One part: {@code null} when intact, else its problem. */
    private Failure checkPart(CheckpointReader reader, int partition, FileStatus listed, Parts parts) {
        CheckpointManifest.Part part = reader.manifest().parts().get(partition);
        URI location = reader.location();
        if (listed != null && listed.length() != part.bytes()) {
            // The listed length alone proves the file is not what was written; reading it adds nothing.
            boolean shorter = listed.length() < part.bytes();
            return Failure.of(shorter ? Failure.TRUNCATED : Failure.CORRUPT, new CorruptPartException("verify", reader.dataset(), location,
                    part.name(), "expected " + part.bytes() + " bytes, found " + listed.length() + (shorter
                    ? "; the file is truncated" : "; the file holds more bytes than were written"), null));
        }
        try {
            if (decodeRecords && parts.recordsNote.get() == null) {
                try (PartIterator<Object> records = reader.openPart(storage, partition)) {
                    while (records.hasNext()) {
                        records.next();
                    }
                    parts.recordsRead[partition] = records.recordsRead();
                    parts.bytesRead[partition] = part.bytes();
                    return null;
                } catch (IncompatibleCheckpointException e) {
                    // A record class this process cannot load: count no records, check the bytes below.
                    parts.recordsNote.compareAndSet(null, "not counted: " + Failure.detail(e)
                            + " (pass --classpath with the record classes to count them)");
                } catch (CorruptPartException e) {
                    // The decoder's view of damage is a chain of causes; the byte check below says it in
                    // the manifest's terms (length, CRC32C, which block). Only when the bytes are as
                    // written (a record count the writer got wrong) is the decoder's error the answer.
                    reader.verifyPart(storage, partition);
                    throw e;
                }
            }
            reader.verifyPart(storage, partition);
            parts.bytesRead[partition] = part.bytes();
            return null;
        } catch (CorruptPartException e) {
            Matcher m = BYTES.matcher(Failure.detail(e));
            boolean truncated = m.find() && Long.parseLong(m.group(2)) < Long.parseLong(m.group(1));
            return Failure.of(truncated ? Failure.TRUNCATED : Failure.CORRUPT, e);
        } catch (CairnException e) {
            return Failure.of(e);
        }
    }

    /** {@code _partitioner}'s CRC32C, through the full open a job would make. */
    private void checkPartitioner(URI location, List<Failure> problems) {
        try {
            CheckpointReader.open(storage, location, options);
        } catch (CheckpointException e) {
            if (CheckpointManifest.PARTITIONER_FILE.equals(e.file())) {
                problems.add(Failure.of(e));
            }
        }
    }
}
