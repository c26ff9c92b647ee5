package dev.cairn.serde;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import com.esotericsoftware.kryo.kryo5.serializers.DefaultSerializers;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Comparator;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kryo serializer for every Java record that writes exactly the bytes of Kryo 5's own
 * {@code RecordSerializer}, several times faster. Kryo's reaches each component accessor with
 * {@link Method#invoke} and builds each record with {@link Constructor#newInstance}, with an access
 * check per call: in profiles of checkpointing pairs that was more than half of the write path and
 * most of the read path. Here the accessors and the canonical constructor are small classes the JDK's
 * lambda factory spins once per record class (cached with it), which the JIT inlines as it would
 * hand-written code, so a record such as a key-value pair costs about what a serializer written for
 * it would; where the factory cannot reach the record, plain method handles.
 *
 * <p>Byte identity matters: checkpoints written with Kryo's serializer must still read, and this one
 * replaces it for every record class. So it follows Kryo's rules to the letter: components in the
 * order of their names (not their declaration), and per component by its declared type:
 * <ul>
 *   <li>a primitive as Kryo's serializer for it writes it (directly, without boxing, when that is
 *       Kryo's stock serializer for the type; through {@code writeObject} otherwise);</li>
 *   <li>a type Kryo considers final ({@link Kryo#isFinal}: final classes, arrays of them and of
 *       primitives) with {@code writeObjectOrNull}, so without its class;</li>
 *   <li>anything else with {@code writeClassAndObject}.</li>
 * </ul>
 * Kryo's {@code fixedFieldTypes} option is off here as it is by default. The tests compare the
 * output with Kryo's own serializer for records of every kind of component.
 *
 * <p>One instance per Kryo and record class (Kryo asks for a default serializer per class); it
 * holds no state between calls.
 */
final class FastRecordSerializer<T> extends Serializer<T> {
    private static final Logger LOG = LoggerFactory.getLogger(FastRecordSerializer.class);

    /** How one component is written: see the class comment. */
    private static final int DIRECT = 0;
    private static final int BOXED = 1;
    private static final int FINAL = 2;
    private static final int ANY = 3;

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return Shape.of(type);
        }
    };

    private final Shape shape;
    private final int[] modes;
    /**
     * A record of two components, both written with their classes: a key-value pair, the record of
     * every keyed dataset. It gets straight-line code, as fast as a serializer written for it.
     */
    private final boolean pair;

    private FastRecordSerializer(Kryo kryo, Shape shape) {
        super(false, true);
        this.shape = shape;
        this.modes = new int[shape.components.length];
        for (int i = 0; i < modes.length; i++) {
            Class<?> type = shape.components[i].type;
            if (type.isPrimitive()) {
                modes[i] = isStock(kryo, type) ? DIRECT : BOXED;
            } else {
                modes[i] = kryo.isFinal(type) ? FINAL : ANY;
            }
        }
        this.pair = modes.length == 2 && modes[0] == ANY && modes[1] == ANY && shape.twoArguments != null;
    }

    /**
     * The serializer for record class {@code type} in {@code kryo}: this one, or {@code fallback}
     * (Kryo's own) when the record's accessors or constructor cannot be reached by method handles, for
     * instance in a module that does not open its package.
     */
    static Serializer<?> forRecord(Kryo kryo, Class<?> type, Serializer<?> fallback) {
        try {
            return new FastRecordSerializer<>(kryo, SHAPES.get(type));
        } catch (RuntimeException e) {
            LOG.debug("Kryo writes record {} by reflection: {}", type.getName(), e.toString());
            return fallback;
        }
    }

    /** Whether records of {@code type} go through spun classes (else through method handles); for tests. */
    static boolean isSpun(Class<?> type) {
        return SHAPES.get(type).spun;
    }

    @Override
    public void write(Kryo kryo, Output output, T record) {
        Component[] components = shape.components;
        if (pair) {
            writeAny(kryo, output, components[0], record);
            writeAny(kryo, output, components[1], record);
            return;
        }
        for (int i = 0; i < components.length; i++) {
            Component c = components[i];
            try {
                switch (modes[i]) {
                    case DIRECT:
                        c.writePrimitive(output, record);
                        break;
                    case BOXED:
                        kryo.writeObject(output, c.get(record));
                        break;
                    case FINAL:
                        kryo.writeObjectOrNull(output, c.get(record), c.type);
                        break;
                    default:
                        kryo.writeClassAndObject(output, c.get(record));
                        break;
                }
            } catch (KryoException e) {
                // The same trace Kryo's serializer adds, so messages name the component path.
                e.addTrace(c.name + " (" + c.type.getName() + ")");
                throw e;
            } catch (RuntimeException e) {
                KryoException k = new KryoException(e);
                k.addTrace(c.name + " (" + c.type.getName() + ")");
                throw k;
            }
        }
    }

    @Override
    public T read(Kryo kryo, Input input, Class<? extends T> type) {
        Component[] components = shape.components;
        if (pair) {
            Object first = readAny(kryo, input, components[0]);
            Object second = readAny(kryo, input, components[1]);
            return components[0].index == 0 ? shape.construct(first, second) : shape.construct(second, first);
        }
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            Component c = components[i];
            try {
                switch (modes[i]) {
                    case DIRECT:
                        values[c.index] = c.readPrimitive(input);
                        break;
                    case BOXED:
                        values[c.index] = kryo.readObject(input, c.type);
                        break;
                    case FINAL:
                        values[c.index] = kryo.readObjectOrNull(input, c.type);
                        break;
                    default:
                        values[c.index] = kryo.readClassAndObject(input);
                        break;
                }
            } catch (KryoException e) {
                e.addTrace(c.name + " (" + c.type.getName() + ")");
                throw e;
            } catch (RuntimeException e) {
                KryoException k = new KryoException(e);
                k.addTrace(c.name + " (" + c.type.getName() + ")");
                throw k;
            }
        }
        return shape.construct(values);
    }

    private static void writeAny(Kryo kryo, Output output, Component c, Object record) {
        try {
            kryo.writeClassAndObject(output, c.get(record));
        } catch (KryoException e) {
            e.addTrace(c.name + " (" + c.type.getName() + ")");
            throw e;
        } catch (RuntimeException e) {
            KryoException k = new KryoException(e);
            k.addTrace(c.name + " (" + c.type.getName() + ")");
            throw k;
        }
    }

    private static Object readAny(Kryo kryo, Input input, Component c) {
        try {
            return kryo.readClassAndObject(input);
        } catch (KryoException e) {
            e.addTrace(c.name + " (" + c.type.getName() + ")");
            throw e;
        } catch (RuntimeException e) {
            KryoException k = new KryoException(e);
            k.addTrace(c.name + " (" + c.type.getName() + ")");
            throw k;
        }
    }

    /** Whether {@code kryo} writes primitive {@code type} with its stock serializer, whose encoding {@link Component} repeats. */
    private static boolean isStock(Kryo kryo, Class<?> type) {
        Class<?> s = kryo.getRegistration(type).getSerializer().getClass();
        return type == int.class ? s == DefaultSerializers.IntSerializer.class
                : type == long.class ? s == DefaultSerializers.LongSerializer.class
                : type == double.class ? s == DefaultSerializers.DoubleSerializer.class
                : type == float.class ? s == DefaultSerializers.FloatSerializer.class
                : type == boolean.class ? s == DefaultSerializers.BooleanSerializer.class
                : type == byte.class ? s == DefaultSerializers.ByteSerializer.class
                : type == char.class ? s == DefaultSerializers.CharSerializer.class
                : type == short.class && s == DefaultSerializers.ShortSerializer.class;
    }

    /** What is the same for every Kryo: the components in Kryo's order and the canonical constructor. */
    private static final class Shape {
        final Class<?> type;
        final Component[] components;
        final boolean spun;
        private final Function<Object[], Object> constructor;
        /** For a spun record of two components: its constructor, arguments in declaration order. */
        final BiFunction<Object, Object, Object> twoArguments;

        private Shape(Class<?> type, Component[] components, Function<Object[], Object> constructor,
                      BiFunction<Object, Object, Object> twoArguments, boolean spun) {
            this.type = type;
            this.components = components;
            this.constructor = constructor;
            this.twoArguments = twoArguments;
            this.spun = spun;
        }

        static Shape of(Class<?> type) {
            RecordComponent[] declared = type.getRecordComponents();
            if (declared == null) {
                throw new IllegalArgumentException(type.getName() + " is not a record");
            }
            Class<?>[] parameters = new Class<?>[declared.length];
            Method[] accessors = new Method[declared.length];
            try {
                for (int i = 0; i < declared.length; i++) {
                    // The accessor Kryo calls: the method named like the component, declared by the record.
                    accessors[i] = type.getDeclaredMethod(declared[i].getName());
                    parameters[i] = declared[i].getType();
                }
                Constructor<?> canonical = type.getDeclaredConstructor(parameters);
                Shape shape;
                try {
                    shape = spun(type, declared, accessors, canonical);
                } catch (Throwable e) {
                    // A record the lambda factory cannot reach privately (for instance one in another
                    // class loader's unnamed module): plain method handles are slower but do.
                    LOG.debug("Record {} goes through method handles: {}", type.getName(), e.toString());
                    shape = handles(type, declared, accessors, canonical);
                }
                // Kryo's order: by component name (String order), whatever the declaration order.
                Arrays.sort(shape.components, Comparator.comparing(c -> c.name));
                return shape;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Cannot reach the accessors or canonical constructor of record "
                        + type.getName() + ": " + e, e);
            }
        }

        /**
         * Accessors and constructor as classes the JDK's lambda factory spins, which the JIT inlines
         * like hand-written code (a method handle kept in a field is called, not inlined).
         */
        private static Shape spun(Class<?> type, RecordComponent[] declared, Method[] accessors, Constructor<?> canonical)
                throws Throwable {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
            Component[] components = new Component[declared.length];
            for (int i = 0; i < declared.length; i++) {
                MethodHandle accessor = lookup.unreflect(accessors[i]);
                Class<?> t = declared[i].getType();
                Object primitive = null;
                if (t == long.class || t == int.class || t == double.class) {
                    Class<?> sam = t == long.class ? ToLongFunction.class : t == int.class ? ToIntFunction.class
                            : ToDoubleFunction.class;
                    String name = t == long.class ? "applyAsLong" : t == int.class ? "applyAsInt" : "applyAsDouble";
                    primitive = spin(lookup, sam, name, MethodType.methodType(t, Object.class), accessor,
                            MethodType.methodType(t, type));
                }
                @SuppressWarnings("unchecked")
                Function<Object, Object> boxed = (Function<Object, Object>) spin(lookup, Function.class, "apply",
                        MethodType.methodType(Object.class, Object.class), accessor, MethodType.methodType(box(t), type));
                components[i] = new Component(declared[i].getName(), t, i, boxed, primitive);
            }
            MethodHandle ctor = lookup.unreflectConstructor(canonical);
            Class<?>[] boxedParameters = Arrays.stream(canonical.getParameterTypes()).map(Shape::box).toArray(Class<?>[]::new);
            MethodType instantiated = MethodType.methodType(type, boxedParameters);
            Function<Object[], Object> constructor;
            BiFunction<Object, Object, Object> twoArguments = null;
            switch (boxedParameters.length) {
                case 0: {
                    Supplier<?> s = (Supplier<?>) spin(lookup, Supplier.class, "get", MethodType.methodType(Object.class),
                            ctor, instantiated);
                    constructor = values -> s.get();
                    break;
                }
                case 1: {
                    @SuppressWarnings("unchecked")
                    Function<Object, Object> f = (Function<Object, Object>) spin(lookup, Function.class, "apply",
                            MethodType.methodType(Object.class, Object.class), ctor, instantiated);
                    constructor = values -> f.apply(values[0]);
                    break;
                }
                case 2: {
                    @SuppressWarnings("unchecked")
                    BiFunction<Object, Object, Object> f = (BiFunction<Object, Object, Object>) spin(lookup,
                            BiFunction.class, "apply", MethodType.methodType(Object.class, Object.class, Object.class),
                            ctor, instantiated);
                    constructor = values -> f.apply(values[0], values[1]);
                    twoArguments = f;
                    break;
                }
                default:
                    constructor = spreader(ctor);
                    break;
            }
            return new Shape(type, components, constructor, twoArguments, true);
        }

        private static Object spin(MethodHandles.Lookup lookup, Class<?> sam, String method, MethodType erased,
                                   MethodHandle implementation, MethodType instantiated) throws Throwable {
            return LambdaMetafactory.metafactory(lookup, method, MethodType.methodType(sam), erased, implementation,
                    instantiated).getTarget().invoke();
        }

        /** The same through method handles, reached by {@code setAccessible} as Kryo's serializer reaches them. */
        private static Shape handles(Class<?> type, RecordComponent[] declared, Method[] accessors, Constructor<?> canonical)
                throws IllegalAccessException {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Component[] components = new Component[declared.length];
            for (int i = 0; i < declared.length; i++) {
                accessors[i].setAccessible(true);
                MethodHandle accessor = lookup.unreflect(accessors[i]);
                Class<?> t = declared[i].getType();
                MethodHandle boxed = accessor.asType(MethodType.methodType(Object.class, Object.class));
                Object primitive = null;
                if (t == long.class) {
                    MethodHandle h = accessor.asType(MethodType.methodType(long.class, Object.class));
                    primitive = (ToLongFunction<Object>) r -> (long) invoke(() -> (long) h.invokeExact(r));
                } else if (t == int.class) {
                    MethodHandle h = accessor.asType(MethodType.methodType(int.class, Object.class));
                    primitive = (ToIntFunction<Object>) r -> (int) invoke(() -> (int) h.invokeExact(r));
                } else if (t == double.class) {
                    MethodHandle h = accessor.asType(MethodType.methodType(double.class, Object.class));
                    primitive = (ToDoubleFunction<Object>) r -> (double) invoke(() -> (double) h.invokeExact(r));
                }
                components[i] = new Component(declared[i].getName(), t, i,
                        r -> invoke(() -> (Object) boxed.invokeExact(r)), primitive);
            }
            canonical.setAccessible(true);
            return new Shape(type, components, spreader(lookup.unreflectConstructor(canonical)), null, false);
        }

        private static Function<Object[], Object> spreader(MethodHandle constructor) {
            MethodHandle spread = constructor.asSpreader(Object[].class, constructor.type().parameterCount())
                    .asType(MethodType.methodType(Object.class, Object[].class));
            return values -> invoke(() -> (Object) spread.invokeExact(values));
        }

        /** A method handle call whose only checked exception is the one {@code invokeExact} declares. */
        private interface HandleCall {
            Object call() throws Throwable;
        }

        private static Object invoke(HandleCall call) {
            try {
                return call.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                // Accessors and canonical constructors declare no checked exception.
                throw new KryoException(t);
            }
        }

        private static Class<?> box(Class<?> t) {
            return t.isPrimitive() ? MethodType.methodType(t).wrap().returnType() : t;
        }

        @SuppressWarnings("unchecked")
        <T> T construct(Object first, Object second) {
            try {
                return (T) twoArguments.apply(first, second);
            } catch (RuntimeException e) {
                KryoException k = new KryoException(e);
                k.addTrace("Could not construct type (" + type.getName() + ")");
                throw k;
            }
        }

        @SuppressWarnings("unchecked")
        <T> T construct(Object[] values) {
            try {
                return (T) constructor.apply(values);
            } catch (KryoException e) {
                e.addTrace("Could not construct type (" + type.getName() + ")");
                throw e;
            } catch (RuntimeException e) {
                KryoException k = new KryoException(e);
                k.addTrace("Could not construct type (" + type.getName() + ")");
                throw k;
            }
        }
    }

    /** One component: its name, declared type, declaration index and accessor. */
    private static final class Component {
        final String name;
        final Class<?> type;
        final int index;
        /** The value, boxed for a primitive. */
        private final Function<Object, Object> boxed;
        /** For a {@code long}, {@code int} or {@code double}: a {@code To<Type>Function} that does not box. */
        private final Object primitive;
        /** The primitive's descriptor letter ({@code J} for long, ...), or 0. */
        private final char primitiveKind;

        Component(String name, Class<?> type, int index, Function<Object, Object> boxed, Object primitive) {
            this.name = name;
            this.type = type;
            this.index = index;
            this.boxed = boxed;
            this.primitive = primitive;
            this.primitiveKind = type.isPrimitive() ? type.descriptorString().charAt(0) : 0;
        }

        Object get(Object record) {
            return boxed.apply(record);
        }

        /** Writes the component as Kryo's stock serializer for its primitive type does. */
        @SuppressWarnings("unchecked")
        void writePrimitive(Output output, Object record) {
            switch (primitiveKind) {
                case 'J':
                    output.writeVarLong(((ToLongFunction<Object>) primitive).applyAsLong(record), false);
                    break;
                case 'I':
                    output.writeInt(((ToIntFunction<Object>) primitive).applyAsInt(record), false);
                    break;
                case 'D':
                    output.writeDouble(((ToDoubleFunction<Object>) primitive).applyAsDouble(record));
                    break;
                case 'F':
                    output.writeFloat((Float) get(record));
                    break;
                case 'Z':
                    output.writeBoolean((Boolean) get(record));
                    break;
                case 'B':
                    output.writeByte((Byte) get(record));
                    break;
                case 'C':
                    output.writeChar((Character) get(record));
                    break;
                default:
                    output.writeShort((Short) get(record));
                    break;
            }
        }


        /** Reads what {@link #writePrimitive} wrote, boxed for the constructor. */
        Object readPrimitive(Input input) {
            switch (primitiveKind) {
                case 'J':
                    return input.readVarLong(false);
                case 'I':
                    return input.readInt(false);
                case 'D':
                    return input.readDouble();
                case 'F':
                    return input.readFloat();
                case 'Z':
                    return input.readBoolean();
                case 'B':
                    return input.readByte();
                case 'C':
                    return input.readChar();
                default:
                    return input.readShort();
            }
        }
    }
}
