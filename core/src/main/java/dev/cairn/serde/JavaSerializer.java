package dev.cairn.serde;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.ObjectStreamException;
import java.io.OptionalDataException;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The fallback {@link Serializer} ({@value #NAME}): standard Java serialization, for record types
 * that only it handles (custom {@code writeObject}/{@code readResolve} logic, classes whose fields
 * Kryo cannot reach). Records must be {@link java.io.Serializable}; writing one that is not fails
 * with a {@link CairnException} naming the class. Slower than {@link KryoSerializer}.
 *
 * <p><b>Records are independent</b>: the {@link ObjectOutputStream} is reset after every record.
 * Its handle table would otherwise keep every object written (a streaming writer must not), and an
 * object written, mutated and written again would be written as a back-reference and read back in
 * its first state, a silently wrong record. (Spark's serializer resets every 100 objects, so it has
 * that bug within each window of 100.) A plain reset also forgets the class descriptors, so every
 * record would repeat each class's name, {@code serialVersionUID} and field list: 208 bytes for a
 * {@code (Long, double[4])} pair. This stream therefore keeps its own table of class descriptors,
 * which survives the resets: the first time a class appears in a stream its descriptor is written in
 * full and numbered, later records write the number. Only class metadata is shared between records,
 * never an object. The pair takes 60 bytes (Spark's serializer: about 63).
 *
 * <p><b>Format</b> (see {@link StreamFormat}): version {@value #VERSION} writes the records as
 * consecutive objects, each followed by a reset, and the end marker and count as block data, which a
 * reader tells apart from an object by its type code; a class descriptor is a number (0 for a new
 * descriptor, then written in full as Java serialization does; {@code n > 0} for the descriptor
 * numbered {@code n - 1}); boxed {@code java.lang} numbers are written as small carriers that read
 * back as the boxed value ({@link BoxedNumbers}). Version 1 (a marker byte before every record, full
 * descriptors in every record) is still read.
 *
 * <p><b>Untrusted input</b>: deserialization runs constructors and {@code readObject} methods of
 * the classes named in the stream, so a checkpoint is input from whoever could write to its store.
 * Every stream is read through a {@link java.io.ObjectInputFilter}: the JVM-wide
 * {@code jdk.serialFilter} applies as always, and option {@value #OPTION_ALLOWED_CLASSES} adds an
 * allow-list; a class either refuses fails the read, naming the class and the setting, before any of
 * the class's code runs.
 *
 * <p><b>Refused at write time</b>: a class whose name a reader cannot load (a lambda's or another
 * hidden class, a class the serializer's class loader cannot see) fails the write with a
 * {@link CairnException} naming the record index and the class, instead of every later read.
 * {@link java.io.Serializable} lambdas are fine: Java serialization writes them through their
 * capturing class.
 *
 * <p><b>Options</b> (read once, at construction):
 * <ul>
 *   <li>{@value #OPTION_ALLOWED_CLASSES} (unset: every class): comma-separated classes and packages
 *       reading may create, as {@code com.example.Point}, {@code com.example.*} (the package) or
 *       {@code com.example.**} (with subpackages); boxed primitives, {@code String} and arrays of
 *       primitives are always allowed. Set it whenever checkpoints come from a shared store. It also
 *       applies to the values a kryo stream holds in Java serialization.</li>
 * </ul>
 *
 * <p>Thread-safe factory; each input and output belongs to one thread.
 */
public final class JavaSerializer implements Serializer {
    /** The name recorded in manifests. */
    public static final String NAME = "java";
    /** Option: the classes and packages Java deserialization may create (default: unset, every class). */
    public static final String OPTION_ALLOWED_CLASSES = "cairn.java.allowed-classes";

    static final byte KIND = 'J';
    /** The format version this serializer writes; it reads every version from 1 up to this one. */
    static final int VERSION = 2;
    private static final int BUFFER_SIZE = 64 * 1024;

    private final ClassLoader classLoader;
    private final AllowedClasses allowed;
    private final Supplier<ObjectInputFilter> jvmWideFilter;

    /** A serializer without options, resolving classes through the calling thread's context class loader (or this class's loader). */
    public JavaSerializer() {
        this(CairnOptions.empty());
    }

    /** A serializer without options, resolving record classes through {@code classLoader} first. */
    public JavaSerializer(ClassLoader classLoader) {
        this(CairnOptions.empty(), classLoader);
    }

    /**
     * A serializer configured by {@code options}, resolving classes through the calling thread's context
     * class loader (or this class's loader).
     *
     * @throws CairnException when {@value #OPTION_ALLOWED_CLASSES} is malformed
     */
    public JavaSerializer(CairnOptions options) {
        this(options, defaultClassLoader());
    }

    /**
     * A serializer configured by {@code options}, resolving record classes through {@code classLoader}
     * first.
     *
     * @throws CairnException when {@value #OPTION_ALLOWED_CLASSES} is malformed
     */
    public JavaSerializer(CairnOptions options, ClassLoader classLoader) {
        this(options, classLoader, ClassFilter::jvmWide);
    }

    /** As the public constructors; {@code jvmWideFilter} stands in for {@code jdk.serialFilter} in tests. */
    JavaSerializer(CairnOptions options, ClassLoader classLoader, Supplier<ObjectInputFilter> jvmWideFilter) {
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.allowed = AllowedClasses.parse(OPTION_ALLOWED_CLASSES,
                Objects.requireNonNull(options, "options").getString(OPTION_ALLOWED_CLASSES, null));
        this.jvmWideFilter = jvmWideFilter;
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Nothing is written to {@code out} before the first record, flush or close. A record that
     * cannot be serialized, or holds a class a reader could not load, throws {@link CairnException} and
     * leaves the output unusable: it then closes without its end marker, so it reads back as truncated.
     */
    @Override
    public RecordOutput newOutput(OutputStream out) {
        return new JavaRecordOutput(Objects.requireNonNull(out, "out"));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Nothing is read from {@code in} before the first {@link RecordInput#hasNext()}, which reads
     * the next record ahead. Bytes that cannot be decoded, name a class that cannot be loaded, or name
     * one the filter refuses, throw an {@link IOException}.
     */
    @Override
    public RecordInput newInput(InputStream in) {
        return new JavaRecordInput(Objects.requireNonNull(in, "in"));
    }

    @Override
    public String toString() {
        return "JavaSerializer[classLoader=" + classLoader + (allowed == null ? "" : ", allowedClasses=" + allowed) + "]";
    }

    private static ClassLoader defaultClassLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : JavaSerializer.class.getClassLoader();
    }

    private final class JavaRecordOutput extends FramedRecordOutput {
        private final BufferedOutputStream buffered;
        private NumberedDescriptorOutputStream objects;

        JavaRecordOutput(OutputStream out) {
            super(NAME);
            this.buffered = new BufferedOutputStream(guard(out), BUFFER_SIZE);
        }

        @Override
        void writeHeader() throws IOException {
            buffered.write(StreamFormat.header(KIND, VERSION));
            // Created here, not in the constructor: its constructor writes the serialization header.
            objects = new NumberedDescriptorOutputStream(buffered);
        }

        @Override
        void writeRecord(Object record, long index) throws IOException {
            try {
                objects.writeObject(record);
            } catch (UnloadableClassException e) {
                throw new CairnException("Cannot write record: java stream at record index " + index
                        + " (expected classes a reader can load by name, found " + e.type + ", " + e.problem.what()
                        + inside(e.type, record) + "; " + e.problem.hint() + ")", e);
            } catch (NotSerializableException e) {
                String type = e.getMessage();
                boolean hidden = type != null && LoadableClasses.isHiddenName(type);
                throw new CairnException("Cannot write record: java stream at record index " + index
                        + " (expected java.io.Serializable objects, found " + type + " which is not"
                        + (hidden ? " (a lambda or another hidden class)" : "") + inside(type, record) + "; "
                        + (hidden ? LoadableClasses.LAMBDA_HINT : "implement Serializable or use the kryo serializer") + ")", e);
            } catch (ObjectStreamException | RuntimeException e) {
                throw new CairnException("Cannot write record: java stream at record index " + index
                        + " (expected a record Java serialization can write, found " + record.getClass().getName()
                        + " failing with " + StreamFormat.describe(e) + "; see the cause)", e);
            }
            // Forget every object of this record (class descriptors stay numbered): the next record must
            // not refer back to one, and the writer keeps no record after writing it.
            objects.reset();
        }

        private String inside(String type, Object record) {
            return record.getClass().getName().equals(type) ? "" : ", inside a " + record.getClass().getName();
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
        private final CountingInputStream counted;
        /** The most bytes the stream holds, -1 if unknown. */
        private final long length;
        private NumberedDescriptorInputStream objects;
        private ClassFilter filter;
        /** Version 2: the record {@link #readMarker(long)} read ahead. */
        private Object pending;

        JavaRecordInput(InputStream in) {
            super(NAME, KIND, VERSION);
            this.buffered = new BufferedInputStream(guard(in), BUFFER_SIZE);
            this.counted = new CountingInputStream(buffered);
            this.length = in instanceof KnownLengthInputStream k && k.length() < Long.MAX_VALUE / 2 ? k.length() : -1;
        }

        @Override
        int readHeader(byte[] buffer) throws IOException {
            return buffered.readNBytes(buffer, 0, buffer.length);
        }

        @Override
        int readMarker(long index) throws IOException {
            if (objects == null) {
                // Created after the Cairn header was checked: its constructor reads the serialization header.
                // The object stream may have peeked a little beyond what it consumed: a slack of one block.
                filter = ClassFilter.of(jvmWideFilter.get(), ClassFilter.rules(allowed),
                        length < 0 ? null : () -> length - counted.count + 1024);
                try {
                    objects = new NumberedDescriptorInputStream(counted, version() >= 2, filter);
                } catch (EOFException e) {
                    throw StreamFormat.truncated(NAME, 0, e);
                }
            }
            if (version() == 1) {
                // read(), not readByte(): -1 at the end of data instead of an exception without context.
                return objects.read();
            }
            long start = counted.count;
            try {
                pending = objects.readObject();
                return StreamFormat.RECORD;
            } catch (OptionalDataException e) {
                if (e.eof) {
                    throw StreamFormat.undecodable(NAME, index, e);
                }
                // Block data where an object could start: only the end marker is written so.
                int marker = objects.read();
                if (marker != StreamFormat.END) {
                    throw StreamFormat.badMarker(NAME, index, marker);
                }
                return marker;
            } catch (EOFException e) {
                // Nothing of a record came, at most the reset that follows every record: the stream ends
                // between two records, where the end marker was due.
                if (counted.count - start <= (index > 0 ? 1 : 0) && (filter == null || filter.refusal() == null)) {
                    return -1;
                }
                throw decodingFailure(index, e);
            } catch (IOException | ClassNotFoundException | RuntimeException e) {
                throw decodingFailure(index, e);
            } catch (LinkageError e) {
                throw StreamFormat.unlinkable(NAME, index, objects == null ? null : objects.lastClass, e);
            }
        }

        @Override
        Object readRecord(long index) throws IOException {
            if (version() >= 2) {
                Object record = pending;
                pending = null;
                return record;
            }
            try {
                return objects.readObject();
            } catch (IOException | ClassNotFoundException | RuntimeException e) {
                throw decodingFailure(index, e);
            } catch (LinkageError e) {
                throw StreamFormat.unlinkable(NAME, index, objects == null ? null : objects.lastClass, e);
            }
        }

        private IOException decodingFailure(long index, Exception e) {
            String overlong = filter == null ? null : filter.overlong();
            if (overlong != null) {
                StreamCorruptedException corrupt = new StreamCorruptedException("Cannot read record: " + NAME + " stream at record"
                        + " index " + index + " (expected " + overlong + "; the stream is corrupt)");
                corrupt.initCause(e);
                return corrupt;
            }
            ClassFilter.RefusedClassException refused = filter == null ? null : filter.refusal(NAME, index);
            if (refused != null) {
                refused.addSuppressed(e);
                return refused;
            }
            if (e instanceof EOFException) {
                return StreamFormat.truncated(NAME, index, e);
            }
            if (e instanceof IOException && !(e instanceof ObjectStreamException)) {
                return (IOException) e;
            }
            return StreamFormat.undecodable(NAME, index, e);
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
            return objects.read() < 0 && counted.read() < 0;
        }

        @Override
        void closeStream(boolean clean) throws IOException {
            buffered.close();
        }
    }

    /**
     * Writes each class descriptor in full once per stream and by number afterwards; the numbers
     * survive {@link #reset()}, which only forgets objects.
     */
    private final class NumberedDescriptorOutputStream extends ObjectOutputStream {
        // By identity: ObjectOutputStream uses one descriptor per class, and holding it here keeps the
        // JDK's softly cached instance alive, so it stays the same object for the whole stream.
        private final Map<ObjectStreamClass, Integer> numbers = new IdentityHashMap<>();

        NumberedDescriptorOutputStream(OutputStream out) throws IOException {
            super(out);
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            return BoxedNumbers.replace(obj);
        }

        @Override
        protected void writeClassDescriptor(ObjectStreamClass desc) throws IOException {
            Integer number = numbers.get(desc);
            if (number != null) {
                writeVarInt(number + 1);
                return;
            }
            // First sight of this class in the stream: the one moment to check that a reader can load it.
            Class<?> type = desc.forClass();
            LoadableClasses.Problem problem = type == null ? null
                    : LoadableClasses.problem(type, classLoader, JavaSerializer.class.getClassLoader());
            if (problem != null) {
                throw new UnloadableClassException(type.getName(), problem);
            }
            write(0);
            super.writeClassDescriptor(desc);
            numbers.put(desc, numbers.size());
        }

        private void writeVarInt(int value) throws IOException {
            while ((value & ~0x7f) != 0) {
                write((value & 0x7f) | 0x80);
                value >>>= 7;
            }
            write(value);
        }
    }

    /** A class whose name no reader could load; thrown inside the object stream, turned into a {@link CairnException}. */
    private static final class UnloadableClassException extends InvalidClassException {
        private static final long serialVersionUID = 1L;
        private final String type;
        private final transient LoadableClasses.Problem problem;

        UnloadableClassException(String type, LoadableClasses.Problem problem) {
            super(type + " is " + problem.what());
            this.type = type;
            this.problem = problem;
        }
    }

    /**
     * Reads what {@link NumberedDescriptorOutputStream} wrote (or, for version 1, plain descriptors),
     * resolving classes through the serializer's class loader, through a {@link ClassFilter}.
     */
    private final class NumberedDescriptorInputStream extends ObjectInputStream {
        private final boolean numbered;
        // Arrays, not lists: both are read for every descriptor of every record.
        private ObjectStreamClass[] descriptors = new ObjectStreamClass[16];
        /** The class of each numbered descriptor, once resolved. */
        private Class<?>[] classes = new Class<?>[16];
        private int count;
        private final Map<String, Class<?>> resolved = new HashMap<>();
        /** The number of the descriptor {@link #readClassDescriptor()} returned last; the stream resolves it next. */
        private int last = -1;
        /** The class resolved last, for the message when it cannot be linked. */
        String lastClass;

        NumberedDescriptorInputStream(InputStream in, boolean numbered, ClassFilter filter) throws IOException {
            super(in);
            this.numbered = numbered;
            if (filter != null) {
                setObjectInputFilter(filter);
            }
        }

        @Override
        protected ObjectStreamClass readClassDescriptor() throws IOException, ClassNotFoundException {
            if (!numbered) {
                return super.readClassDescriptor();
            }
            int number = readVarInt();
            if (number == 0) {
                ObjectStreamClass desc = super.readClassDescriptor();
                if (count == descriptors.length) {
                    descriptors = Arrays.copyOf(descriptors, count * 2);
                    classes = Arrays.copyOf(classes, count * 2);
                }
                descriptors[count] = desc;
                last = count++;
                return desc;
            }
            if (number > count) {
                throw new StreamCorruptedException("Cannot read record: java stream class descriptor (expected a number"
                        + " up to " + count + ", found " + number + "; the stream is corrupt)");
            }
            last = number - 1;
            return descriptors[last];
        }

        private int readVarInt() throws IOException {
            int value = 0;
            for (int shift = 0; shift < 32; shift += 7) {
                int b = readUnsignedByte();
                value |= (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new StreamCorruptedException("Cannot read record: java stream class descriptor (expected a number of at"
                    + " most 5 bytes, found more; the stream is corrupt)");
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            lastClass = desc.getName();
            // The same few classes come again and again (in every record): look each up once per stream,
            // by descriptor number where there is one (the stream resolves the descriptor just read).
            if (last >= 0 && descriptors[last] == desc) {
                Class<?> known = classes[last];
                if (known == null) {
                    known = resolveByName(desc);
                    classes[last] = known;
                }
                return known;
            }
            return resolveByName(desc);
        }

        private Class<?> resolveByName(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            Class<?> known = resolved.get(desc.getName());
            if (known != null) {
                return known;
            }
            Class<?> type;
            try {
                try {
                    type = Class.forName(desc.getName(), false, classLoader);
                } catch (ClassNotFoundException e) {
                    // Primitive type names and classes only the default lookup finds.
                    type = super.resolveClass(desc);
                }
            } catch (LinkageError e) {
                throw StreamFormat.naming(desc.getName(), e);
            }
            resolved.put(desc.getName(), type);
            return type;
        }
    }

    /** Counts the bytes the object stream takes, to tell a stream cut between two records from one cut inside one. */
    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            count += skipped;
            return skipped;
        }
    }
}
