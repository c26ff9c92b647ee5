package dev.cairn.serde;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import com.esotericsoftware.kryo.kryo5.serializers.ClosureSerializer;
import com.esotericsoftware.kryo.kryo5.util.DefaultInstantiatorStrategy;
import com.esotericsoftware.kryo.kryo5.util.Pool;
import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;
import com.esotericsoftware.kryo.kryo5.objenesis.strategy.StdInstantiatorStrategy;

/**
 * The default {@link Serializer} ({@value #NAME}): Kryo 5, compact and fast, for any class, with or
 * without registration.
 *
 * <p><b>Options</b> (read once, at construction):
 * <ul>
 *   <li>{@value #OPTION_REGISTRATION_REQUIRED} ({@code false}): when {@code true}, writing an instance
 *       of a class not listed in {@value #OPTION_CLASSES} fails instead of writing its name.</li>
 *   <li>{@value #OPTION_CLASSES} (empty): comma-separated binary class names
 *       ({@code com.example.Outer$Inner}, {@code [J} for {@code long[]}) registered in this order, so
 *       they are written as small numbers instead of names. Writer and reader must use the same list
 *       in the same order: the numbers are positions in it. Each stream carries a fingerprint of this
 *       list and of {@value #OPTION_REFERENCES}, so a mismatched reader fails instead of misreading.</li>
 *   <li>{@value #OPTION_REFERENCES} ({@code false}): track references, so object graphs with cycles
 *       or shared objects inside one record round-trip with their identity. Without it, a shared
 *       object is written once per reference and a cycle fails the write.</li>
 * </ul>
 *
 * <p><b>What round-trips</b>: classes with or without a no-arg constructor (objenesis creates them
 * otherwise), records, enums, arrays, the usual {@code java.util} collections, the JDK's immutable
 * collections ({@code List.of}, {@code Map.of}, ...), {@code Collections.unmodifiable*},
 * {@code Collections.synchronized*}, empty/singleton collections, {@code Arrays.asList} and
 * {@code Map.entry}. Other JDK classes whose fields Java 17 keeps closed are written with Java
 * serialization when {@code Serializable}; collection views such as {@code map.keySet()} fail at write
 * time with a message saying to copy them.
 *
 * <p><b>Records are independent</b>: reference tracking spans one record, never two, so a mutable
 * object written, changed and written again is read back in both states, and a writer holds no
 * record after writing it. Only class names are remembered for the whole stream.
 *
 * <p><b>Refused at write time</b>: a class whose name a reader cannot load, such as a lambda's
 * hidden class ({@code Foo$$Lambda$83/0x…}) or a class the serializer's class loader does not see,
 * fails the write with a {@link CairnException} naming the record index and the class, instead of
 * every later read. {@link java.io.Serializable} lambdas are written by their capturing class and
 * implementation method, as Java serialization writes them, and read back in any JVM that has the
 * same capturing class; other lambdas are refused.
 *
 * <p><b>Untrusted input</b>: reading a stream creates instances of the classes it names. For
 * checkpoints in a store that others can write to, set {@value #OPTION_REGISTRATION_REQUIRED}: a
 * reader then creates only the classes listed in {@value #OPTION_CLASSES} (and Kryo's built-in
 * types), and the values Kryo carries in Java serialization (JDK classes it cannot take apart) may
 * only hold such classes too. Java serialization inside a kryo stream also honours
 * {@code jdk.serialFilter} and {@value JavaSerializer#OPTION_ALLOWED_CLASSES}.
 *
 * <p><b>Thread safety</b>: this factory is thread-safe; each {@link RecordOutput} or
 * {@link RecordInput} borrows one Kryo instance from a pool for its lifetime and returns it on close.
 */
public final class KryoSerializer implements Serializer {
    /** The name recorded in manifests. */
    public static final String NAME = "kryo";
    /** Option: require every written class to be registered ({@code true}/{@code false}, default {@code false}). */
    public static final String OPTION_REGISTRATION_REQUIRED = "cairn.kryo.registration-required";
    /** Option: comma-separated class names to register, in order (default none). */
    public static final String OPTION_CLASSES = "cairn.kryo.classes";
    /** Option: track shared references and cycles within a record ({@code true}/{@code false}, default {@code false}). */
    public static final String OPTION_REFERENCES = "cairn.kryo.references";

    static final byte KIND = 'K';
    private static final int BUFFER_SIZE = 64 * 1024;
    /**
     * Deepest object graph written or read. Kryo recurses once per level; measured on JDK 17, a default
     * 1 MiB thread stack overflows at about 1,500 levels. Hitting the stack limit is not a clean error:
     * classes first initialised while the stack is exhausted fail for the rest of the JVM's life (seen
     * here with java.lang.StringBuffer inside Kryo's own overflow handler). The cap turns a cycle
     * (without {@value #OPTION_REFERENCES}) or hostile input into an ordinary failure well before that.
     */
    static final int MAX_DEPTH = 1000;
    /** Idle instances kept; more threads still get their own, they are just not kept afterwards. */
    private static final int POOL_CAPACITY = 64;

    private final boolean registrationRequired;
    private final boolean references;
    private final AllowedClasses javaAllowed;
    private final List<Class<?>> classes;
    private final ClassLoader classLoader;
    private final Pool<Kryo> pool;
    /**
     * Written after the stream header and checked on read. The manifest records only "kryo", but
     * {@value #OPTION_REFERENCES} and the order of {@value #OPTION_CLASSES} change the bytes too: a
     * reader configured differently could otherwise decode wrong records without noticing.
     */
    private final int formatFingerprint;

    /**
     * A serializer configured by {@code options}, loading classes through the thread context class
     * loader of the calling thread (or, if it has none, the loader of this class).
     *
     * @throws CairnException when an option is malformed or a class in {@value #OPTION_CLASSES}
     *     cannot be loaded or registered
     */
    public KryoSerializer(CairnOptions options) {
        this(options, defaultClassLoader());
    }

    /**
     * A serializer configured by {@code options}, loading record classes and the classes of
     * {@value #OPTION_CLASSES} through {@code classLoader}.
     *
     * @throws CairnException when an option is malformed or a class in {@value #OPTION_CLASSES}
     *     cannot be loaded or registered
     */
    public KryoSerializer(CairnOptions options, ClassLoader classLoader) {
        Objects.requireNonNull(options, "options");
        this.classLoader = Objects.requireNonNull(classLoader, "classLoader");
        this.registrationRequired = options.getBoolean(OPTION_REGISTRATION_REQUIRED, false);
        this.references = options.getBoolean(OPTION_REFERENCES, false);
        this.classes = resolveClasses(options.getString(OPTION_CLASSES, ""), classLoader);
        this.javaAllowed = AllowedClasses.parse(JavaSerializer.OPTION_ALLOWED_CLASSES,
                options.getString(JavaSerializer.OPTION_ALLOWED_CLASSES, null));
        this.formatFingerprint = fingerprint(references, classes);
        // Thread-safe, soft references: idle instances may be reclaimed under memory pressure.
        this.pool = new Pool<>(true, true, POOL_CAPACITY) {
            @Override
            protected Kryo create() {
                return newKryo();
            }

            @Override
            protected void reset(Kryo kryo) {
                ((CairnKryo) kryo).endStream();
            }
        };
        // Build one instance now, so a class that cannot be registered fails while configuring,
        // not at the first write of some partition.
        pool.free(newKryo());
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Bytes go through a 64 KiB buffer. Writing a record Kryo cannot encode throws
     * {@link CairnException} naming the record index and class, and leaves the output unusable: it
     * then closes without its end marker, so it reads back as truncated.
     */
    @Override
    public RecordOutput newOutput(OutputStream out) {
        return new KryoRecordOutput(Objects.requireNonNull(out, "out"));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Any failure to decode, including bytes that are not a kryo stream, throws an
     * {@link IOException}; a stream ending early throws {@link EOFException}.
     */
    @Override
    public RecordInput newInput(InputStream in) {
        return new KryoRecordInput(Objects.requireNonNull(in, "in"));
    }

    @Override
    public String toString() {
        return "KryoSerializer[registrationRequired=" + registrationRequired + ", references=" + references
                + ", registeredClasses=" + classes.size() + "]";
    }

    private Kryo newKryo() {
        CairnKryo kryo = new CairnKryo(javaAllowed);
        kryo.setClassLoader(classLoader);
        kryo.setRegistrationRequired(registrationRequired);
        kryo.setReferences(references);
        kryo.setMaxDepth(MAX_DEPTH);
        // Public no-arg constructors first (fast, runs field initialisers), objenesis for the rest.
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        for (Class<?> type : classes) {
            try {
                kryo.register(type);
            } catch (RuntimeException e) {
                throw new CairnException("Cannot register class " + type.getName() + ": option " + OPTION_CLASSES
                        + " (expected a class Kryo can serialize, found " + StreamFormat.describe(e)
                        + "; remove it from the list)", e);
            }
        }
        // After the listed classes, so their numbers stay what they were before lambdas were supported.
        // Kryo looks every lambda's class up as this marker class (Kryo.isClosure).
        kryo.register(ClosureSerializer.Closure.class, new LambdaSerializer());
        return kryo;
    }

    private static List<Class<?>> resolveClasses(String names, ClassLoader loader) {
        List<Class<?>> resolved = new ArrayList<>();
        for (String raw : names.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                resolved.add(Class.forName(name, false, loader));
            } catch (ClassNotFoundException | LinkageError e) {
                throw new CairnException("Cannot register class " + name + ": option " + OPTION_CLASSES
                        + " (expected names of loadable classes, found '" + name + "' which cannot be loaded: "
                        + StreamFormat.describe(e) + "; check the spelling, use binary names such as"
                        + " com.example.Outer$Inner or [J, and put the class on the class path)", e);
            }
        }
        return Collections.unmodifiableList(resolved);
    }

    private static int fingerprint(boolean references, List<Class<?>> classes) {
        CRC32 crc = new CRC32();
        StringBuilder format = new StringBuilder("references=").append(references).append(";classes=");
        for (Class<?> type : classes) {
            format.append(type.getName()).append(',');
        }
        crc.update(format.toString().getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    private static ClassLoader defaultClassLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : KryoSerializer.class.getClassLoader();
    }

    /** The first {@link IOException} in {@code t}'s cause chain: Kryo wraps stream failures in KryoException. */
    private static IOException ioCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IOException) {
                return (IOException) c;
            }
        }
        return null;
    }

    /** The first {@code type} in {@code t}'s cause chain, or {@code null}. */
    private static <X extends Throwable> X cause(Throwable t, Class<X> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    private static boolean isUnderflow(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KryoException && c.getMessage() != null && c.getMessage().startsWith("Buffer underflow")) {
                return true;
            }
        }
        return false;
    }

    /** A stream failure keeps its own type; anything else from Kryo is rethrown as-is for the caller to map. */
    private static IOException streamFailure(KryoException e) {
        IOException io = ioCause(e);
        return io != null ? io : new IOException(StreamFormat.describe(e), e);
    }

    private final class KryoRecordOutput extends FramedRecordOutput {
        private final OutputStream out;
        private final Kryo kryo;
        private final Output output;

        KryoRecordOutput(OutputStream out) {
            super(NAME);
            this.out = out;
            this.kryo = pool.obtain();
            // Not UnsafeOutput: Unsafe buffers write fixed-width values in the machine's native byte
            // order where Output always writes little-endian, so checkpoints would become unreadable
            // across endianness. WordOutput writes Output's exact bytes, doubles and floats with one
            // little-endian word store each (Kryo's Output stores them byte by byte).
            this.output = new WordOutput(guard(out), BUFFER_SIZE);
        }

        @Override
        void writeHeader() throws IOException {
            try {
                output.writeBytes(StreamFormat.header(KIND, StreamFormat.VERSION));
                output.writeInt(formatFingerprint);
            } catch (KryoException e) {
                throw streamFailure(e);
            }
        }

        @Override
        void writeRecord(Object record, long index) throws IOException {
            try {
                output.writeByte(StreamFormat.RECORD);
                kryo.writeClassAndObject(output, record);
            } catch (RuntimeException e) {
                throw encodingFailure(record, index, e);
            } catch (StackOverflowError e) {
                throw new CairnException("Cannot write record: kryo stream at record index " + index
                        + " (expected an object graph Kryo can walk, found one too deep for the thread stack, starting"
                        + " at " + record.getClass().getName() + "; " + (references
                                ? "deeply nested data needs a larger stack (-Xss)"
                                : "if it has cycles set " + OPTION_REFERENCES + "=true") + ")", e);
            }
        }

        private CairnException encodingFailure(Object record, long index, RuntimeException e) throws IOException {
            IOException io = ioCause(e);
            if (io != null) {
                throw io;
            }
            CairnKryo.UnloadableClassException unloadable = cause(e, CairnKryo.UnloadableClassException.class);
            if (unloadable != null) {
                return new CairnException("Cannot write record: kryo stream at record index " + index
                        + " (expected classes a reader can load by name, found " + unloadable.type.getName() + ", "
                        + unloadable.problem.what() + (record.getClass() == unloadable.type ? ""
                                : ", inside a " + record.getClass().getName()) + "; " + unloadable.problem.hint() + ")", e);
            }
            String what = StreamFormat.describe(e);
            if (registrationRequired && what.contains("Class is not registered")) {
                return new CairnException("Cannot write record: kryo stream at record index " + index
                        + " (expected classes registered through " + OPTION_CLASSES + ", found " + what
                        + "; add the class to " + OPTION_CLASSES + " or set " + OPTION_REGISTRATION_REQUIRED
                        + "=false)", e);
            }
            if (what.contains("Max depth exceeded")) {
                return new CairnException("Cannot write record: kryo stream at record index " + index
                        + " (expected an object graph at most " + MAX_DEPTH + " levels deep, found a deeper one in a "
                        + record.getClass().getName() + "; " + (references
                                ? "flatten the structure"
                                : "if it has cycles set " + OPTION_REFERENCES + "=true, otherwise flatten it") + ")", e);
            }
            return new CairnException("Cannot write record: kryo stream at record index " + index
                    + " (expected a record Kryo can serialize, found " + record.getClass().getName() + " failing with "
                    + what + "; see the cause, or use the java serializer for such records)", e);
        }

        @Override
        void writeEnd(long count) throws IOException {
            try {
                output.writeByte(StreamFormat.END);
                output.writeVarLong(count, true);
                output.flush();
            } catch (KryoException e) {
                throw streamFailure(e);
            }
        }

        @Override
        void flushBuffers() throws IOException {
            try {
                output.flush();
            } catch (KryoException e) {
                throw streamFailure(e);
            }
        }

        @Override
        void closeStream(boolean complete) throws IOException {
            // Not output.close(): it skips closing the stream when its flush fails.
            try {
                out.close();
            } finally {
                if (complete) {
                    pool.free(kryo);
                }
                // A Kryo that failed mid-record is dropped rather than trusted to reset cleanly.
            }
        }
    }

    private final class KryoRecordInput extends FramedRecordInput {
        private final InputStream in;
        private final Kryo kryo;
        private final Input input;

        KryoRecordInput(InputStream in) {
            super(NAME, KIND, StreamFormat.VERSION);
            this.in = in;
            this.kryo = pool.obtain();
            this.input = new BoundedInput(guard(in), BUFFER_SIZE, in);
        }

        @Override
        int readHeader(byte[] buffer) throws IOException {
            try {
                int n = 0;
                while (n < buffer.length) {
                    int read = input.read(buffer, n, buffer.length - n);
                    if (read < 0) {
                        break;
                    }
                    n += read;
                }
                return n;
            } catch (KryoException e) {
                throw streamFailure(e);
            }
        }

        @Override
        void readFormatHeader() throws IOException {
            int found;
            try {
                found = input.readInt();
            } catch (KryoException e) {
                if (isUnderflow(e)) {
                    throw StreamFormat.truncated(NAME, 0, e);
                }
                throw streamFailure(e);
            }
            if (found != formatFingerprint) {
                throw new StreamCorruptedException("Cannot read records: kryo stream header (expected options"
                        + " fingerprint " + Integer.toHexString(formatFingerprint) + " for " + OPTION_REFERENCES + "="
                        + references + " and " + classes.size() + " classes in " + OPTION_CLASSES + ", found "
                        + Integer.toHexString(found) + "; read with the same " + OPTION_REFERENCES + " and the same "
                        + OPTION_CLASSES + ", in the same order, as the writer)");
            }
        }

        @Override
        int readMarker(long index) throws IOException {
            try {
                return input.read();
            } catch (KryoException e) {
                throw streamFailure(e);
            }
        }

        @Override
        Object readRecord(long index) throws IOException {
            try {
                return kryo.readClassAndObject(input);
            } catch (KryoException e) {
                LinkageError linkage = cause(e, LinkageError.class);
                if (linkage != null) {
                    throw StreamFormat.unlinkable(NAME, index, null, linkage);
                }
                ClassFilter.RefusedClassException refused = cause(e, ClassFilter.RefusedClassException.class);
                if (refused != null) {
                    ClassFilter.RefusedClassException named = refused.atRecord(NAME, index);
                    named.addSuppressed(e);
                    throw named;
                }
                IOException io = ioCause(e);
                if (isUnderflow(e) || io instanceof EOFException) {
                    throw StreamFormat.truncated(NAME, index, e);
                }
                if (io != null) {
                    throw io;
                }
                throw StreamFormat.undecodable(NAME, index, e);
            } catch (RuntimeException | StackOverflowError e) {
                throw StreamFormat.undecodable(NAME, index, e);
            } catch (LinkageError e) {
                throw StreamFormat.unlinkable(NAME, index, null, e);
            }
        }

        @Override
        long readCount() throws IOException {
            try {
                return input.readVarLong(true);
            } catch (KryoException e) {
                if (isUnderflow(e)) {
                    throw StreamFormat.truncatedEnd(NAME, e);
                }
                throw streamFailure(e);
            }
        }

        @Override
        boolean atEndOfData() throws IOException {
            try {
                return input.read() < 0;
            } catch (KryoException e) {
                throw streamFailure(e);
            }
        }

        @Override
        void closeStream(boolean clean) throws IOException {
            try {
                in.close();
            } finally {
                if (clean) {
                    pool.free(kryo);
                }
            }
        }
    }
}
