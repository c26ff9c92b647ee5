package dev.cairn.checkpoint;

import dev.cairn.CairnException;
import dev.cairn.CheckpointException;
import dev.cairn.CheckpointIOException;
import dev.cairn.CorruptPartException;
import dev.cairn.IncompatibleCheckpointException;
import dev.cairn.MissingPartException;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads and writes the small files of a checkpoint ({@code _manifest.json}, {@code _partitioner})
 * and checks a checkpoint directory against its manifest. Every failure names the dataset,
 * the directory and the file; a failure of the store is a {@link CheckpointIOException}, bytes
 * that disagree with what was written a {@link CorruptPartException}.
 */
final class CheckpointFiles {
    /** The largest manifest or partitioner file read into memory (a manifest of 100,000 parts is about 10 MiB). */
    static final int MAX_SMALL_FILE = 256 * 1024 * 1024;

    private CheckpointFiles() {
    }

    /**
     * Writes {@code _manifest.json}, streamed part by part into the store's output (no copy of the
     * JSON in memory); refuses to replace one that exists (a checkpoint is committed once).
     *
     * @return the manifest's length in bytes
     */
    static long writeManifest(Storage storage, URI location, CheckpointManifest manifest, String label) {
        return writeSmallFile(storage, location, CheckpointManifest.FILE_NAME, manifest::writeJson, false, label);
    }

    /** The partitioner's Java serialization, for {@code _partitioner}. */
    static byte[] serializePartitioner(Serializable partitioner, URI location, String label) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(partitioner);
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("write", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected a serializable partitioner, found " + partitioner.getClass().getName() + ": " + e, e);
        }
        return bytes.toByteArray();
    }

    /** Writes {@code _partitioner} (replacing one an earlier, failed commit may have left) and returns its CRC32C. */
    static long writePartitioner(Storage storage, URI location, byte[] data, String label) {
        writeSmallFile(storage, location, CheckpointManifest.PARTITIONER_FILE, data, true, label);
        return crc32c(data);
    }

    static long crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    /** Writes the body of a small file. */
    private interface Body {
        void writeTo(java.io.OutputStream out) throws IOException;
    }

    private static long writeSmallFile(Storage storage, URI location, String name, byte[] data, boolean overwrite, String label) {
        return writeSmallFile(storage, location, name, out -> out.write(data), overwrite, label);
    }

    private static long writeSmallFile(Storage storage, URI location, String name, Body body, boolean overwrite, String label) {
        long[] written = {0};
        try (StorageOutput out = storage.create(CheckpointLayout.child(location, name), overwrite)) {
            body.writeTo(new java.io.FilterOutputStream(out) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    written[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    written[0] += len;
                }
            });
            out.commit();
        } catch (FileAlreadyExistsException e) {
            throw new CheckpointException("commit", label, location, name, "expected to write " + name + " once, found one there"
                    + " already: another writer committed this location", e);
        } catch (IOException e) {
            throw new CheckpointIOException("write", label, location, name, "expected to publish " + name + " ("
                    + written[0] + " bytes written so far), found an error: " + e, e);
        }
        return written[0];
    }

    /**
     * Reads and parses {@code _manifest.json}. On a store with eventual listings the manifest of
     * a just-written checkpoint may not be readable yet, so a missing manifest is asked for again,
     * with the waiter's delays, until its timeout; a failing read is retried a few times.
     *
     * @throws MissingPartException            when there is no manifest (the message says what the directory holds)
     * @throws IncompatibleCheckpointException  for a newer format version
     * @throws CorruptPartException             for a manifest that cannot be parsed
     * @throws CheckpointIOException            when the store keeps failing
     */
    static CheckpointManifest readManifest(Storage storage, URI location, ListingWaiter waiter, String label) {
        // Parsed as it streams in: memory grows with the parts, never with the JSON text (11 MB for 100,000 parts).
        Object read = readSmallFile(storage, location, CheckpointManifest.FILE_NAME, waiter, label, "read", in -> {
            try {
                return CheckpointManifest.parse(bounded(in, location, CheckpointManifest.FILE_NAME, label));
            } catch (CheckpointManifest.FormatException e) {
                return e;
            }
        });
        if (read == null) {
            boolean eventual = storage.listing() == ListingConsistency.EVENTUAL;
            throw new MissingPartException("read", label, location, CheckpointManifest.FILE_NAME,
                    "expected a committed checkpoint with its manifest, found " + describe(storage, location)
                            + (eventual && waiter.timeout().toMillis() > 0 ? " after waiting " + waiter.timeout().toMillis()
                            + " ms (the store is eventually consistent: a manifest written moments ago may still appear)" : ""), null);
        }
        if (read instanceof CheckpointManifest.FormatException e) {
            if (e.newerVersion()) {
                throw new IncompatibleCheckpointException("read", label, location, CheckpointManifest.FILE_NAME, e.getMessage(), e);
            }
            throw new CorruptPartException("read", label, location, CheckpointManifest.FILE_NAME, e.getMessage(), e);
        }
        return (CheckpointManifest) read;
    }

    /** Reads a small file's content from its stream. */
    private interface Content<T> {
        T read(InputStream in) throws IOException;
    }

    /**
     * A small file's content as {@code content} reads it, or {@code null} when the file is not
     * there (after polling with the waiter's delays on an eventually consistent store). A failing
     * read is retried from the start a few times.
     */
    private static <T> T readSmallFile(Storage storage, URI location, String name, ListingWaiter waiter, String label, String verb,
                                       Content<T> content) {
        URI file = CheckpointLayout.child(location, name);
        boolean eventual = storage.listing() == ListingConsistency.EVENTUAL;
        long deadline = System.nanoTime() + waiter.timeout().toNanos();
        long delay = waiter.initialDelay().toNanos();
        int failures = 0;
        while (true) {
            try (InputStream in = storage.open(file)) {
                return content.read(in);
            } catch (NoSuchFileException e) {
                long now = System.nanoTime();
                if (!eventual || now >= deadline) {
                    return null;
                }
                sleepNanos(Math.min(delay, deadline - now), label, location, verb);
                delay = Math.min(delay * 2, waiter.maxDelay().toNanos());
            } catch (IOException e) {
                if (++failures >= Retries.ATTEMPTS) {
                    throw new CheckpointIOException(verb, label, location, name, "expected a readable " + name
                            + ", found an error " + failures + " times: " + e, e);
                }
                Retries.pause(failures - 1, label, location, verb);
            }
        }
    }

    private static byte[] readBounded(InputStream in, URI location, String name, String label) throws IOException {
        byte[] data = in.readNBytes(MAX_SMALL_FILE + 1);
        if (data.length > MAX_SMALL_FILE) {
            throw tooLarge(location, name, label);
        }
        return data;
    }

    private static CorruptPartException tooLarge(URI location, String name, String label) {
        return new CorruptPartException("read", label, location, name, "expected at most " + MAX_SMALL_FILE
                + " bytes, found a larger file", null);
    }

    /** {@code in}, failing with a {@link CorruptPartException} once more than {@link #MAX_SMALL_FILE} bytes came. */
    private static InputStream bounded(InputStream in, URI location, String name, String label) {
        return new java.io.FilterInputStream(in) {
            private long count;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    counted(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    counted(n);
                }
                return n;
            }

            private void counted(int n) {
                count += n;
                if (count > MAX_SMALL_FILE) {
                    throw tooLarge(location, name, label);
                }
            }
        };
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

    /**
     * Reads {@code _partitioner} and checks it against the manifest's CRC32C; {@code null} when
     * the checkpoint has none.
     */
    static byte[] readPartitioner(Storage storage, URI location, CheckpointManifest manifest, ListingWaiter waiter, String label) {
        if (manifest.partitioner() == null) {
            return null;
        }
        byte[] data = readSmallFile(storage, location, CheckpointManifest.PARTITIONER_FILE, waiter, label, "read",
                in -> readBounded(in, location, CheckpointManifest.PARTITIONER_FILE, label));
        if (data == null) {
            throw new MissingPartException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected the " + manifest.partitioner() + " the manifest names, found no file", null);
        }
        long crc = crc32c(data);
        if (crc != manifest.partitionerCrc32c()) {
            throw new CorruptPartException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected CRC32C " + hex(manifest.partitionerCrc32c()) + ", found " + hex(crc), null);
        }
        return data;
    }

    /**
     * Deserializes a partitioner read by {@link #readPartitioner}. The file must hold an object of
     * the class the manifest names ({@code className}): the stream may name only that class (or
     * one of its superclasses) at its top level, before any class is loaded, so a {@code _partitioner}
     * naming some other class loads and runs none of its code; a {@code null}, or an object of
     * another class, is corrupt. No array in it may be longer than the file. The JVM-wide
     * {@code jdk.serialFilter} still applies.
     *
     * @throws IncompatibleCheckpointException when the class, or a class it holds, cannot be loaded
     *     or linked here
     * @throws CorruptPartException when the bytes are not a serialized {@code className}
     */
    static Object deserializePartitioner(byte[] data, URI location, String className, String label) {
        String expected = "a serialized " + (className == null ? "partitioner" : className);
        Class<?> type = null;
        if (className != null) {
            try {
                type = PartitionerInputStream.load(className);
            } catch (ClassNotFoundException e) {
                throw new IncompatibleCheckpointException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                        "expected the partitioner class " + className + " on the class path, found " + e, e);
            } catch (LinkageError e) {
                throw unlinkable(location, className, label, e, e);
            }
        }
        Object p;
        PartitionerInputStream in = null;
        try {
            in = new PartitionerInputStream(new ByteArrayInputStream(data), type, data.length);
            p = in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IncompatibleCheckpointException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected the partitioner class " + className + " and the classes it holds on the class path, found " + e, e);
        } catch (LinkageError e) {
            throw unlinkable(location, className, label, in == null || in.lastClass == null || String.valueOf(e.getMessage())
                    .contains(in.lastClass) ? e : new NoClassDefFoundError("cannot link class " + in.lastClass + ": " + e), e);
        } catch (IOException | RuntimeException e) {
            String refused = in == null ? null : in.refused;
            throw new CorruptPartException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected " + expected + ", found " + (refused != null ? refused : e.toString()), e);
        }
        if (p == null) {
            throw new CorruptPartException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected " + expected + ", found a serialized null", null);
        }
        if (type != null && !type.isInstance(p)) {
            throw new CorruptPartException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                    "expected " + expected + " as _manifest.json names, found an object of class " + p.getClass().getName(), null);
        }
        return p;
    }

    private static IncompatibleCheckpointException unlinkable(URI location, String className, String label, LinkageError e,
                                                              LinkageError cause) {
        return new IncompatibleCheckpointException("read", label, location, CheckpointManifest.PARTITIONER_FILE,
                "expected the partitioner class " + className + " and the classes it holds to load, found a class that cannot be"
                + " linked: " + e + "; put the dependencies of "
                + className + " on the class path", cause);
    }

    /**
     * Resolves classes through the thread's context class loader (an application's, a Spark
     * executor's), then the default; admits at the top level only the expected class and its
     * superclasses, and no array longer than the file.
     */
    private static final class PartitionerInputStream extends ObjectInputStream {
        private final Set<String> topLevel = new java.util.HashSet<>();
        private final long maxArray;
        private boolean first = true;
        /** The class resolved last, for the message when it cannot be linked. */
        String lastClass;
        /** What was refused, for the message; null when nothing was. */
        String refused;

        PartitionerInputStream(InputStream in, Class<?> expected, long maxArray) throws IOException {
            super(in);
            for (Class<?> c = expected; c != null; c = c.getSuperclass()) {
                topLevel.add(c.getName());
            }
            this.maxArray = maxArray;
            ObjectInputFilter jvmWide = ObjectInputFilter.Config.getSerialFilter();
            setObjectInputFilter(info -> {
                ObjectInputFilter.Status status = jvmWide == null ? ObjectInputFilter.Status.UNDECIDED : jvmWide.checkInput(info);
                if (status == ObjectInputFilter.Status.REJECTED) {
                    refused = "a stream jdk.serialFilter refuses (" + (info.serialClass() == null ? "" : info.serialClass().getTypeName()
                            + ", ") + "array length " + info.arrayLength() + ", depth " + info.depth() + ")";
                    return status;
                }
                if (info.arrayLength() > this.maxArray) {
                    refused = "an array of " + info.arrayLength() + " elements in a file of " + this.maxArray + " bytes";
                    return ObjectInputFilter.Status.REJECTED;
                }
                return status;
            });
        }

        static Class<?> load(String name) throws ClassNotFoundException {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            if (loader != null) {
                try {
                    return Class.forName(name, false, loader);
                } catch (ClassNotFoundException e) {
                    // fall back to this class's loader
                }
            }
            return Class.forName(name, false, CheckpointFiles.class.getClassLoader());
        }

        @Override
        protected Class<?> resolveClass(java.io.ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            lastClass = desc.getName();
            if (first) {
                first = false;
                if (!topLevel.isEmpty() && !topLevel.contains(desc.getName())) {
                    refused = "an object of class " + desc.getName() + " (not loaded)";
                    throw new java.io.InvalidClassException(desc.getName(), "not the partitioner class the manifest names");
                }
            }
            try {
                ClassLoader loader = Thread.currentThread().getContextClassLoader();
                if (loader != null) {
                    try {
                        return Class.forName(desc.getName(), false, loader);
                    } catch (ClassNotFoundException e) {
                        // fall back to the default resolution below
                    }
                }
                return super.resolveClass(desc);
            } catch (LinkageError e) {
                NoClassDefFoundError named = new NoClassDefFoundError("cannot link class " + desc.getName() + ": " + e);
                named.initCause(e);
                throw named;
            }
        }
    }

    /**
     * Waits until the listing shows every file the manifest names with its size, the manifest
     * itself too when {@code withManifest} (the writer knows its manifest before any reader can
     * see it), and checks the manifest against itself (parts named in order).
     */
    static ListingWaiter.Result awaitFiles(Storage storage, URI location, CheckpointManifest manifest, boolean withManifest,
                                           ListingWaiter waiter, String label, String verb) {
        Map<String, Long> expected = new LinkedHashMap<>();
        for (int i = 0; i < manifest.parts().size(); i++) {
            CheckpointManifest.Part p = manifest.parts().get(i);
            if (!CheckpointLayout.isPartPath(p.name(), i) || (manifest.prefixSpread() > 0) != (p.name().indexOf('/') > 0)) {
                throw new CorruptPartException(verb, label, location, CheckpointManifest.FILE_NAME, "expected part " + i + " at "
                        + (manifest.prefixSpread() > 0 ? "<two hex digits>/" : "") + CheckpointManifest.partName(i)
                        + ", found " + p.name(), null);
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

    static String hex(long crc) {
        return String.format("%08x", crc);
    }

    static void sleepNanos(long nanos, String label, URI location, String verb) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CairnException("Cannot " + verb + " checkpoint of dataset " + label + ": " + location + " (interrupted)", e);
        }
    }
}
