package dev.cairn.serde;

import dev.cairn.CairnException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.ObjectStreamException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The fallback {@link Serializer} ({@value #NAME}): standard Java serialization, for record types
 * that only it handles (custom {@code writeObject}/{@code readResolve} logic, classes whose fields
 * Kryo cannot reach). Records must be {@link java.io.Serializable}; writing one that is not fails
 * with a {@link CairnException} naming the class. Slower and larger than {@link KryoSerializer}.
 *
 * <p><b>Records are independent</b>: the {@link ObjectOutputStream} is reset before every record.
 * Its handle table would otherwise keep every object written (a streaming writer must not), and an
 * object written, mutated and written again would be written as a back-reference and read back in its
 * first state, a silently wrong record. Resetting every N records for N &gt; 1 bounds memory but
 * keeps that bug within each window of N, so N is 1. The price is that class descriptors are repeated
 * per record; compression removes most of that (measured for a small two-field record: 166 bytes per
 * record against 36 with a reset every 1000, but 8.8 against 8.6 with lz4 and 3.4 against 2.8 with
 * zstd).
 *
 * <p>Deserialization runs constructors and {@code readObject} methods of the classes named in the
 * stream: read only checkpoints your own jobs wrote (the JVM-wide {@code jdk.serialFilter} applies).
 *
 * <p>Thread-safe factory; each input and output belongs to one thread.
 */
public final class JavaSerializer implements Serializer {
    /** The name recorded in manifests. */
    public static final String NAME = "java";

    static final byte KIND = 'J';
    private static final int BUFFER_SIZE = 64 * 1024;

    private final ClassLoader classLoader;

    /** A serializer resolving classes through the calling thread's context class loader (or this class's loader). */
    public JavaSerializer() {
        this(defaultClassLoader());
    }

    /** A serializer resolving record classes through {@code classLoader} first. */
    public JavaSerializer(ClassLoader classLoader) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Nothing is written to {@code out} before the first record, flush or close. A record that
     * cannot be serialized throws {@link CairnException} and leaves the output unusable: it then
     * closes without its end marker, so it reads back as truncated.
     */
    @Override
    public RecordOutput newOutput(OutputStream out) {
        return new JavaRecordOutput(Objects.requireNonNull(out, "out"));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Nothing is read from {@code in} before the first {@link RecordInput#hasNext()}. Bytes that
     * cannot be decoded, or name a class that cannot be loaded, throw an {@link IOException}.
     */
    @Override
    public RecordInput newInput(InputStream in) {
        return new JavaRecordInput(Objects.requireNonNull(in, "in"));
    }

    @Override
    public String toString() {
        return "JavaSerializer[classLoader=" + classLoader + "]";
    }

    private static ClassLoader defaultClassLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : JavaSerializer.class.getClassLoader();
    }

    private static final class JavaRecordOutput extends FramedRecordOutput {
        private final BufferedOutputStream buffered;
        private ObjectOutputStream objects;

        JavaRecordOutput(OutputStream out) {
            super(NAME);
            this.buffered = new BufferedOutputStream(guard(out), BUFFER_SIZE);
        }

        @Override
        void writeHeader() throws IOException {
            buffered.write(StreamFormat.header(KIND));
            // Created here, not in the constructor: its constructor writes the serialization header.
            objects = new ObjectOutputStream(buffered);
        }

        @Override
        void writeRecord(Object record, long index) throws IOException {
            if (index > 0) {
                objects.reset();
            }
            objects.writeByte(StreamFormat.RECORD);
            try {
                objects.writeObject(record);
            } catch (NotSerializableException e) {
                throw new CairnException("Cannot write record: java stream at record index " + index
                        + " (expected java.io.Serializable objects, found " + e.getMessage() + " which is not"
                        + (record.getClass().getName().equals(e.getMessage()) ? ""
                                : ", inside a " + record.getClass().getName())
                        + "; implement Serializable or use the kryo serializer)", e);
            } catch (ObjectStreamException | RuntimeException e) {
                throw new CairnException("Cannot write record: java stream at record index " + index
                        + " (expected a record Java serialization can write, found " + record.getClass().getName()
                        + " failing with " + StreamFormat.describe(e) + "; see the cause)", e);
            }
        }

        @Override
        void writeEnd(long count) throws IOException {
            objects.writeByte(StreamFormat.END);
            objects.writeLong(count);
            objects.flush();
        }

        @Override
        void flushBuffers() throws IOException {
            if (objects != null) {
                objects.flush();
            } else {
                buffered.flush();
            }
        }

        @Override
        void closeStream(boolean complete) throws IOException {
            // Closing the outermost stream closes the caller's stream too.
            if (objects != null) {
                objects.close();
            } else {
                buffered.close();
            }
        }
    }

    private final class JavaRecordInput extends FramedRecordInput {
        private final BufferedInputStream buffered;
        private ObjectInputStream objects;

        JavaRecordInput(InputStream in) {
            super(NAME, KIND);
            this.buffered = new BufferedInputStream(guard(in), BUFFER_SIZE);
        }

        @Override
        int readHeader(byte[] buffer) throws IOException {
            return buffered.readNBytes(buffer, 0, buffer.length);
        }

        @Override
        int readMarker() throws IOException {
            if (objects == null) {
                // Created after the Cairn header was checked: its constructor reads the serialization header.
                try {
                    objects = new LoaderObjectInputStream(buffered, classLoader);
                } catch (EOFException e) {
                    throw StreamFormat.truncated(NAME, 0, e);
                }
            }
            // read(), not readByte(): -1 at the end of data instead of an exception without context.
            return objects.read();
        }

        @Override
        Object readRecord(long index) throws IOException {
            try {
                return objects.readObject();
            } catch (EOFException e) {
                throw StreamFormat.truncated(NAME, index, e);
            } catch (ClassNotFoundException | ObjectStreamException | RuntimeException e) {
                throw StreamFormat.undecodable(NAME, index, e);
            }
        }

        @Override
        long readCount() throws IOException {
            try {
                return objects.readLong();
            } catch (EOFException e) {
                throw StreamFormat.truncatedEnd(NAME, e);
            }
        }

        @Override
        boolean atEndOfData() throws IOException {
            // The object stream reads no further than the block holding the count, so a byte after it
            // in the underlying stream is trailing data.
            return objects.read() < 0 && buffered.read() < 0;
        }

        @Override
        void closeStream(boolean clean) throws IOException {
            buffered.close();
        }
    }

    /** Resolves classes through the serializer's loader, which sees user classes a library's loader may not. */
    private static final class LoaderObjectInputStream extends ObjectInputStream {
        private final ClassLoader loader;
        private final java.util.Map<String, Class<?>> resolved = new java.util.HashMap<>();

        LoaderObjectInputStream(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            // Every record repeats its class descriptors (the writer resets per record), so the same
            // names come again and again: look each up once per stream, not once per record.
            Class<?> known = resolved.get(desc.getName());
            if (known != null) {
                return known;
            }
            Class<?> type;
            try {
                type = Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                // Primitive type names and classes only the default lookup finds.
                type = super.resolveClass(desc);
            }
            resolved.put(desc.getName(), type);
            return type;
        }
    }
}
