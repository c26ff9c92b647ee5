package dev.cairn.serde;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.Registration;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import com.esotericsoftware.kryo.kryo5.serializers.CollectionSerializer;
import com.esotericsoftware.kryo.kryo5.serializers.DefaultArraySerializers;
import com.esotericsoftware.kryo.kryo5.serializers.MapSerializer;
import com.esotericsoftware.kryo.kryo5.serializers.RecordSerializer;
import com.esotericsoftware.kryo.kryo5.util.DefaultClassResolver;
import com.esotericsoftware.kryo.kryo5.util.ObjectMap;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.lang.reflect.Modifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kryo every {@link KryoSerializer} stream uses: plain Kryo plus fixes for Java 17, where
 * {@code java.base} no longer opens its packages to reflection, for speed, and for safety.
 *
 * <ul>
 *   <li>JDK types Kryo would take apart field by field (which fails with
 *       {@code InaccessibleObjectException}) go through Java serialization when they are
 *       {@link Serializable}: {@code AbstractMap.SimpleEntry}, {@code AtomicLong}, and so on.</li>
 *   <li>JDK collections Kryo would rebuild with its generic {@link CollectionSerializer} or
 *       {@link MapSerializer} although it cannot construct them (views, wrappers,
 *       {@code Collections.nCopies}) do the same, or, when not {@link Serializable}, fail at
 *       <em>write</em> time. Plain Kryo writes them happily and fails only when the checkpoint is
 *       read back, which is the worst moment to learn about it.</li>
 * </ul>
 *
 * The common wrappers get compact Kryo serializers of their own first ({@link JdkSerializers}).
 *
 * <p>Records go through {@link FastRecordSerializer}, byte for byte what Kryo's own record serializer
 * writes, without its per-call reflection. Class names a reader could not load (hidden classes, such
 * as a lambda's) fail the write ({@link StreamClassResolver}), and values read with Java
 * serialization go through a {@link ClassFilter}.
 */
final class CairnKryo extends Kryo {
    private static final Logger LOG = LoggerFactory.getLogger(CairnKryo.class);

    /** The allow-list for values this Kryo reads with Java serialization, or {@code null}. */
    private final AllowedClasses javaAllowed;

    CairnKryo(AllowedClasses javaAllowed) {
        super(new StreamClassResolver(), null);
        this.javaAllowed = javaAllowed;
        JdkSerializers.addDefaults(this);
    }

    /**
     * Ends the current stream: forgets the class names written or read so far and every per-graph
     * state, so the instance can serve the next stream from the pool.
     */
    void endStream() {
        ((StreamClassResolver) getClassResolver()).endStream();
        reset();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Serializer getDefaultSerializer(Class type) {
        Serializer serializer = defaultSerializer(type);
        if (serializer.getClass() == RecordSerializer.class) {
            return FastRecordSerializer.forRecord(this, type, serializer);
        }
        if (serializer.getClass() == com.esotericsoftware.kryo.kryo5.serializers.JavaSerializer.class) {
            // Whatever chose Kryo's Java serializer (a default or an annotation): read it through the filter.
            return new FilteredJavaSerializer();
        }
        // Kryo sizes these by a count read from the stream before it reads an element: check the count first.
        if (serializer.getClass() == CollectionSerializer.class) {
            return new BoundedCollectionSerializer();
        }
        if (serializer.getClass() == MapSerializer.class) {
            return new BoundedMapSerializer();
        }
        if (serializer.getClass() == DefaultArraySerializers.ObjectArraySerializer.class) {
            return new BoundedObjectArraySerializer(this, type);
        }
        // The primitive arrays' serializers allocate through Input.readInts and friends (BoundedInput checks those);
        // these two allocate themselves.
        if (serializer.getClass() == DefaultArraySerializers.StringArraySerializer.class) {
            return new BoundedStringArraySerializer();
        }
        if (serializer.getClass() == DefaultArraySerializers.BooleanArraySerializer.class) {
            return new BoundedBooleanArraySerializer();
        }
        return serializer;
    }

    /** A String[]: at least one byte per element. */
    static final class BoundedStringArraySerializer extends DefaultArraySerializers.StringArraySerializer {
        @Override
        @SuppressWarnings("rawtypes")
        public String[] read(Kryo kryo, Input input, Class type) {
            BoundedInput.checkPeekedArrayLength(input, "a String[]");
            return super.read(kryo, input, type);
        }
    }

    /** A boolean[]: one byte per element. */
    static final class BoundedBooleanArraySerializer extends DefaultArraySerializers.BooleanArraySerializer {
        @Override
        @SuppressWarnings("rawtypes")
        public boolean[] read(Kryo kryo, Input input, Class type) {
            BoundedInput.checkPeekedArrayLength(input, "a boolean[]");
            return super.read(kryo, input, type);
        }
    }

    /** A collection: at least one byte per element. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class BoundedCollectionSerializer extends CollectionSerializer {
        @Override
        protected java.util.Collection create(Kryo kryo, Input input, Class type, int size) {
            BoundedInput.checkCount(input, size, 1, "a collection");
            return super.create(kryo, input, type, size);
        }
    }

    /** A map: at least one byte per key and one per value. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static final class BoundedMapSerializer extends MapSerializer {
        @Override
        protected java.util.Map create(Kryo kryo, Input input, Class type, int size) {
            BoundedInput.checkCount(input, size, 2, "a map");
            return super.create(kryo, input, type, size);
        }
    }

    /** An object array: at least one byte per element. */
    @SuppressWarnings("rawtypes")
    static final class BoundedObjectArraySerializer extends DefaultArraySerializers.ObjectArraySerializer {
        BoundedObjectArraySerializer(Kryo kryo, Class type) {
            super(kryo, type);
        }

        @Override
        public Object[] read(Kryo kryo, Input input, Class type) {
            BoundedInput.checkPeekedArrayLength(input, "an object array");
            return super.read(kryo, input, type);
        }
    }

    @SuppressWarnings("rawtypes")
    private Serializer defaultSerializer(Class type) {
        if (type.isArray() || type.isPrimitive() || isOpenToKryo(type)) {
            return super.getDefaultSerializer(type);
        }
        Serializer serializer;
        try {
            serializer = super.getDefaultSerializer(type);
        } catch (RuntimeException e) {
            // FieldSerializer could not make the fields of a closed JDK class accessible.
            if (Serializable.class.isAssignableFrom(type)) {
                return javaFallback(type, "its fields are not open to Kryo");
            }
            return new Rejecting(type.getName() + " is a JDK class whose fields are not open to Kryo and it is not"
                    + " Serializable (" + StreamFormat.describe(e) + "); convert it to a type of your own");
        }
        boolean generic = serializer.getClass() == CollectionSerializer.class
                || serializer.getClass() == MapSerializer.class;
        if (generic && !hasPublicNoArgConstructor(type)) {
            if (Serializable.class.isAssignableFrom(type)) {
                return javaFallback(type, "Kryo cannot construct it");
            }
            return new Rejecting(type.getName() + " is a JDK view or wrapper Kryo cannot rebuild and it is not"
                    + " Serializable; copy it first, e.g. new ArrayList<>(view) or new HashMap<>(map)");
        }
        return serializer;
    }

    private static Serializer<?> javaFallback(Class<?> type, String why) {
        LOG.debug("Kryo writes {} with Java serialization: {}", type.getName(), why);
        return new FilteredJavaSerializer();
    }

    /**
     * The filter for one Java-serialized value: the JVM-wide filter, option
     * {@value JavaSerializer#OPTION_ALLOWED_CLASSES}, and, when registration is required, the
     * registered classes: otherwise a registered {@code AbstractMap.SimpleEntry} could carry any class
     * at all inside its Java-serialized bytes, past the registration that is meant to stop it.
     */
    ClassFilter javaFilter() {
        List<ClassFilter.Rule> rules = new ArrayList<>(ClassFilter.rules(javaAllowed));
        if (isRegistrationRequired()) {
            rules.add(new ClassFilter.Rule(KryoSerializer.OPTION_CLASSES, "registered classes, boxed primitives and"
                    + " strings", "add the class to " + KryoSerializer.OPTION_CLASSES, this::isRegisteredOrPlainValue));
        }
        return ClassFilter.of(ClassFilter.jvmWide(), rules);
    }

    private boolean isRegisteredOrPlainValue(Class<?> type) {
        Class<?> element = type;
        while (element.isArray()) {
            element = element.getComponentType();
        }
        return element.isPrimitive() || AllowedClasses.isPlainValue(element)
                || getClassResolver().getRegistration(type) != null || getClassResolver().getRegistration(element) != null;
    }

    private static boolean isOpenToKryo(Class<?> type) {
        return type.getModule().isOpen(type.getPackageName(), Kryo.class.getModule());
    }

    private static boolean hasPublicNoArgConstructor(Class<?> type) {
        if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
            return false;
        }
        try {
            type.getConstructor();
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /**
     * Keeps the class names of unregistered classes for a whole stream. Kryo resets its class
     * resolver after every top-level object, so without this each record repeats the full class name
     * of every unregistered class in it (often more bytes than the record itself). Object references
     * are still forgotten after each record, so memory stays bounded by one record.
     */
    static final class StreamClassResolver extends DefaultClassResolver {
        // A record stream sees a handful of classes over and over: keep them in small arrays (a scan
        // by identity on write, an index by name id on read) instead of two hash lookups per class
        // per record, which profiles showed as a third of the write path. The bytes are exactly
        // those DefaultClassResolver writes.
        private static final int CACHED = 8;
        private final Class<?>[] writeTypes = new Class<?>[CACHED];
        private final Registration[] writeRegistrations = new Registration[CACHED];
        private final int[] writeCodes = new int[CACHED]; // name id for unregistered classes, else registration id + 2
        private final boolean[] writeNamed = new boolean[CACHED];
        private int writeCount;
        private Registration[] readByNameId = new Registration[16];

        @Override
        public void reset() {
            // Deliberately empty: called after every record; see endStream().
        }

        void endStream() {
            super.reset();
            java.util.Arrays.fill(writeTypes, null);
            java.util.Arrays.fill(writeRegistrations, null);
            writeCount = 0;
            java.util.Arrays.fill(readByNameId, null);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Registration writeClass(Output output, Class type) {
            if (type != null) {
                for (int i = 0; i < writeCount; i++) {
                    if (writeTypes[i] == type) {
                        if (writeNamed[i]) {
                            output.writeVarInt(NAME + 2, true);
                        }
                        output.writeVarInt(writeCodes[i], true);
                        return writeRegistrations[i];
                    }
                }
            }
            Registration r = super.writeClass(output, type);
            if (type != null && writeCount < CACHED) {
                boolean named = r.getId() == NAME;
                int code = named ? (classToNameId == null ? -1 : classToNameId.get(type, -1)) : r.getId() + 2;
                if (code >= 0) {
                    writeTypes[writeCount] = type;
                    writeRegistrations[writeCount] = r;
                    writeCodes[writeCount] = code;
                    writeNamed[writeCount] = named;
                    writeCount++;
                }
            }
            return r;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Registration registerImplicit(Class type) {
            // Before Kryo builds a serializer for the class (which fails in obscure ways for a hidden
            // class); once per class and Kryo, as the answer never changes for one class loader.
            checkLoadable(type);
            return super.registerImplicit(type);
        }

        @Override
        @SuppressWarnings("rawtypes")
        protected void writeName(Output output, Class type, Registration registration) {
            // The first time this stream names the class. Usually registerImplicit checked it already;
            // not so a proxy class, which Kryo registers as InvocationHandler but names as itself.
            if (classToNameId == null || classToNameId.get(type, -1) == -1) {
                checkLoadable(type);
            }
            super.writeName(output, type, registration);
        }

        private void checkLoadable(Class<?> type) {
            LoadableClasses.Problem problem = LoadableClasses.problem(type, kryo.getClassLoader(), Kryo.class.getClassLoader());
            if (problem != null) {
                throw new UnloadableClassException(type, problem);
            }
        }

        @Override
        @SuppressWarnings("rawtypes")
        protected Registration readName(Input input) {
            int nameId = input.readVarInt(true);
            if (nameId < readByNameId.length && readByNameId[nameId] != null) {
                return readByNameId[nameId];
            }
            if (nameIdToClass == null) {
                nameIdToClass = new com.esotericsoftware.kryo.kryo5.util.IntMap<>();
            }
            Class type = nameIdToClass.get(nameId);
            if (type == null) {
                String className = input.readString();
                type = getTypeByName(className);
                if (type == null) {
                    try {
                        type = Class.forName(className, false, kryo.getClassLoader());
                    } catch (ClassNotFoundException ex) {
                        try {
                            type = Class.forName(className, false, Kryo.class.getClassLoader());
                        } catch (ClassNotFoundException ex2) {
                            throw new KryoException("Unable to find class: " + className, ex);
                        } catch (LinkageError ex2) {
                            throw StreamFormat.naming(className, ex2);
                        }
                    } catch (LinkageError ex) {
                        throw StreamFormat.naming(className, ex);
                    }
                    if (nameToClass == null) {
                        nameToClass = new com.esotericsoftware.kryo.kryo5.util.ObjectMap<>();
                    }
                    nameToClass.put(className, type);
                }
                nameIdToClass.put(nameId, type);
            }
            Registration r = kryo.getRegistration(type);
            if (nameId >= readByNameId.length && nameId < 1024) {
                readByNameId = java.util.Arrays.copyOf(readByNameId, Math.max(nameId + 1, readByNameId.length * 2));
            }
            if (nameId < readByNameId.length) {
                readByNameId[nameId] = r;
            }
            return r;
        }
    }

    /** A class whose name no reader could load, refused while writing; {@link KryoSerializer} names the record. */
    static final class UnloadableClassException extends KryoException {
        private static final long serialVersionUID = 1L;
        final transient Class<?> type;
        final transient LoadableClasses.Problem problem;

        UnloadableClassException(Class<?> type, LoadableClasses.Problem problem) {
            super(type.getName() + " is " + problem.what());
            this.type = type;
            this.problem = problem;
        }
    }

    /**
     * Kryo's Java serializer with reading through {@link #javaFilter()} and the Kryo's class loader.
     * Writes the same bytes as Kryo's: one object stream per value, shared within one record.
     */
    static final class FilteredJavaSerializer extends com.esotericsoftware.kryo.kryo5.serializers.JavaSerializer {
        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public Object read(Kryo kryo, Input input, Class type) {
            ObjectMap<Object, Object> context = kryo.getGraphContext();
            FilteredInputStream objects = (FilteredInputStream) context.get(this);
            try {
                if (objects == null) {
                    objects = new FilteredInputStream(input, kryo, ((CairnKryo) kryo).javaFilter());
                    context.put(this, objects);
                }
                return objects.readObject();
            } catch (Exception e) {
                ClassFilter.RefusedClassException refused = objects == null || objects.filter == null ? null
                        : objects.filter.refusal();
                KryoException k = new KryoException("Error during Java deserialization.", refused != null ? refused : e);
                if (refused != null) {
                    k.addSuppressed(e);
                }
                throw k;
            }
        }
    }

    /** Resolves classes through the Kryo's class loader first, and filters them. */
    private static final class FilteredInputStream extends ObjectInputStream {
        private final Kryo kryo;
        final ClassFilter filter;

        FilteredInputStream(InputStream in, Kryo kryo, ClassFilter filter) throws IOException {
            super(in);
            this.kryo = kryo;
            this.filter = filter;
            if (filter != null) {
                setObjectInputFilter(filter);
            }
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                try {
                    return Class.forName(desc.getName(), false, kryo.getClassLoader());
                } catch (ClassNotFoundException e) {
                    return super.resolveClass(desc);
                }
            } catch (LinkageError e) {
                throw StreamFormat.naming(desc.getName(), e);
            }
        }
    }

    /** Fails on write with a message saying what to do instead, so no unreadable stream is produced. */
    static final class Rejecting extends Serializer<Object> {
        private final String reason;

        Rejecting(String reason) {
            this.reason = reason;
        }

        @Override
        public void write(Kryo kryo, Output output, Object object) {
            throw new KryoException(reason);
        }

        @Override
        public Object read(Kryo kryo, Input input, Class<?> type) {
            throw new KryoException(reason);
        }
    }
}
