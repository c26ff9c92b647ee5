package dev.cairn.serde;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import com.esotericsoftware.kryo.kryo5.serializers.DefaultSerializers;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Comparator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kryo serializer for every Java record that writes exactly the bytes of Kryo 5's own
 * {@code RecordSerializer}, several times faster. Kryo's reaches each component accessor with
 * {@link Method#invoke} and builds each record with {@link Constructor#newInstance}, with an access
 * check per call: in profiles of checkpointing pairs that was more than half of the write path and
 * most of the read path. Here the accessors and the canonical constructor are method handles, looked
 * up once per record class and cached with it.
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

    @Override
    public void write(Kryo kryo, Output output, T record) {
        Component[] components = shape.components;
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
        final MethodHandle constructor; // (Object[]) Object

        private Shape(Class<?> type, Component[] components, MethodHandle constructor) {
            this.type = type;
            this.components = components;
            this.constructor = constructor;
        }

        static Shape of(Class<?> type) {
            RecordComponent[] declared = type.getRecordComponents();
            if (declared == null) {
                throw new IllegalArgumentException(type.getName() + " is not a record");
            }
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Component[] components = new Component[declared.length];
            Class<?>[] parameters = new Class<?>[declared.length];
            try {
                for (int i = 0; i < declared.length; i++) {
                    // The accessor Kryo calls: the method named like the component, declared by the record.
                    Method accessor = type.getDeclaredMethod(declared[i].getName());
                    accessor.setAccessible(true);
                    components[i] = new Component(declared[i].getName(), declared[i].getType(), i, lookup.unreflect(accessor));
                    parameters[i] = declared[i].getType();
                }
                Constructor<?> canonical = type.getDeclaredConstructor(parameters);
                canonical.setAccessible(true);
                MethodHandle constructor = lookup.unreflectConstructor(canonical)
                        .asSpreader(Object[].class, parameters.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
                // Kryo's order: by component name (String order), whatever the declaration order.
                Arrays.sort(components, Comparator.comparing(c -> c.name));
                return new Shape(type, components, constructor);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("Cannot reach the accessors or canonical constructor of record "
                        + type.getName() + ": " + e, e);
            }
        }

        @SuppressWarnings("unchecked")
        <T> T construct(Object[] values) {
            try {
                return (T) constructor.invokeExact(values);
            } catch (RuntimeException | Error e) {
                KryoException k = new KryoException(e);
                k.addTrace("Could not construct type (" + type.getName() + ")");
                throw k;
            } catch (Throwable t) {
                // A canonical constructor declares no checked exception, but a method handle may say it does.
                throw new KryoException("Could not construct type (" + type.getName() + ")", t);
            }
        }
    }

    /** One component: its name, declared type, declaration index and accessor. */
    private static final class Component {
        final String name;
        final Class<?> type;
        final int index;
        /** {@code (Object) Object}, boxing a primitive. */
        private final MethodHandle boxed;
        /** {@code (Object) <primitive>} for a primitive component, else {@code null}. */
        private final MethodHandle primitive;
        /** The primitive's descriptor letter ({@code J} for long, ...), or 0. */
        private final char primitiveKind;

        Component(String name, Class<?> type, int index, MethodHandle accessor) {
            this.name = name;
            this.type = type;
            this.index = index;
            this.boxed = accessor.asType(MethodType.methodType(Object.class, Object.class));
            this.primitive = type.isPrimitive() ? accessor.asType(MethodType.methodType(type, Object.class)) : null;
            this.primitiveKind = type.isPrimitive() ? type.descriptorString().charAt(0) : 0;
        }

        Object get(Object record) {
            try {
                return (Object) boxed.invokeExact(record);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new KryoException("Could not retrieve record component value (" + name + ")", t);
            }
        }

        /** Writes the component as Kryo's stock serializer for its primitive type does. */
        void writePrimitive(Output output, Object record) {
            try {
                switch (primitiveKind) {
                    case 'J':
                        output.writeVarLong((long) primitive.invokeExact(record), false);
                        break;
                    case 'I':
                        output.writeInt((int) primitive.invokeExact(record), false);
                        break;
                    case 'D':
                        output.writeDouble((double) primitive.invokeExact(record));
                        break;
                    case 'F':
                        output.writeFloat((float) primitive.invokeExact(record));
                        break;
                    case 'Z':
                        output.writeBoolean((boolean) primitive.invokeExact(record));
                        break;
                    case 'B':
                        output.writeByte((byte) primitive.invokeExact(record));
                        break;
                    case 'C':
                        output.writeChar((char) primitive.invokeExact(record));
                        break;
                    default:
                        output.writeShort((short) primitive.invokeExact(record));
                        break;
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new KryoException("Could not retrieve record component value (" + name + ")", t);
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
