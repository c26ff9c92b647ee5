package dev.cairn.serde;

import com.esotericsoftware.kryo.kryo5.Kryo;
import com.esotericsoftware.kryo.kryo5.KryoException;
import com.esotericsoftware.kryo.kryo5.Serializer;
import com.esotericsoftware.kryo.kryo5.io.Input;
import com.esotericsoftware.kryo.kryo5.io.Output;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Writes a {@link Serializable} lambda as Java serialization does, by its {@link SerializedLambda}:
 * the capturing class, the functional interface, the implementation method and the captured values;
 * reading asks the capturing class to make the lambda again ({@code $deserializeLambda$}, which javac
 * generates for every class with serializable lambdas). No hidden class name is written, so the
 * lambda reads back in another JVM, or through another class loader, that has the same capturing
 * class. Kryo uses this serializer for every lambda (see {@link Kryo#isClosure}); a lambda that is
 * not {@link Serializable} has no such form, and its write fails naming it.
 *
 * <p>Kryo ships a {@code ClosureSerializer} with the same idea, but on Java 17 it cannot open
 * {@code SerializedLambda} and then loads the capturing class through Kryo's own class loader, which
 * does not see application classes in a child loader. This one loads nothing by name on write (the
 * lambda's class knows its capturing class's loader) and reads the capturing class through Kryo's
 * class resolver, so registration and the stream's class loader apply to it as to any class.
 *
 * <p>Format: the capturing class (as Kryo writes a class), the functional interface's class, method
 * name and signature, the implementation method's kind, class, name and signature, the instantiated
 * method type (strings), then the number of captured values and each with its class.
 */
final class LambdaSerializer extends Serializer<Object> {
    /** A lambda's {@code writeReplace}, which returns its {@link SerializedLambda}. */
    private static final ClassValue<Method> WRITE_REPLACE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("writeReplace");
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException | RuntimeException e) {
                throw new KryoException("Cannot write " + type.getName() + ": its serialized form is not reachable ("
                        + e + ")", e);
            }
        }
    };

    /** A capturing class's {@code $deserializeLambda$}. */
    private static final ClassValue<Method> DESERIALIZE = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method m = type.getDeclaredMethod("$deserializeLambda$", SerializedLambda.class);
                m.setAccessible(true);
                return m;
            } catch (NoSuchMethodException | RuntimeException e) {
                throw new KryoException("Cannot rebuild lambdas of " + type.getName() + ": it has no reachable"
                        + " $deserializeLambda$ (" + e + ")", e);
            }
        }
    };

    LambdaSerializer() {
        super(false, true);
    }

    @Override
    public void write(Kryo kryo, Output output, Object lambda) {
        Class<?> type = lambda.getClass();
        if (!(lambda instanceof Serializable)) {
            throw new CairnKryo.UnloadableClassException(type, new LoadableClasses.Problem(
                    "a lambda that is not Serializable, so it has no form another JVM can rebuild",
                    LoadableClasses.LAMBDA_HINT));
        }
        SerializedLambda form;
        Class<?> capturing;
        try {
            form = (SerializedLambda) WRITE_REPLACE.get(type).invoke(lambda);
            capturing = Class.forName(form.getCapturingClass().replace('/', '.'), false, type.getClassLoader());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new KryoException("Cannot write lambda " + type.getName() + ": " + e, e);
        }
        // Fails now, not when reading, if the capturing class cannot rebuild it.
        DESERIALIZE.get(capturing);
        kryo.writeClass(output, capturing);
        output.writeString(form.getFunctionalInterfaceClass());
        output.writeString(form.getFunctionalInterfaceMethodName());
        output.writeString(form.getFunctionalInterfaceMethodSignature());
        output.writeVarInt(form.getImplMethodKind(), true);
        output.writeString(form.getImplClass());
        output.writeString(form.getImplMethodName());
        output.writeString(form.getImplMethodSignature());
        output.writeString(form.getInstantiatedMethodType());
        output.writeVarInt(form.getCapturedArgCount(), true);
        for (int i = 0; i < form.getCapturedArgCount(); i++) {
            kryo.writeClassAndObject(output, form.getCapturedArg(i));
        }
    }

    @Override
    public Object read(Kryo kryo, Input input, Class<?> type) {
        Class<?> capturing = kryo.readClass(input).getType();
        String functionalInterface = input.readString();
        String functionalMethod = input.readString();
        String functionalSignature = input.readString();
        int implKind = input.readVarInt(true);
        String implClass = input.readString();
        String implMethod = input.readString();
        String implSignature = input.readString();
        String instantiatedType = input.readString();
        int count = input.readVarInt(true);
        if (count < 0 || count > 255) {
            // A method has at most 255 parameters; more is damage, not a lambda.
            throw new KryoException("Cannot read lambda: expected at most 255 captured values, found " + count);
        }
        Object[] captured = new Object[count];
        for (int i = 0; i < count; i++) {
            captured[i] = kryo.readClassAndObject(input);
        }
        SerializedLambda form = new SerializedLambda(capturing, functionalInterface, functionalMethod, functionalSignature,
                implKind, implClass, implMethod, implSignature, instantiatedType, captured);
        try {
            return DESERIALIZE.get(capturing).invoke(null, form);
        } catch (InvocationTargetException e) {
            throw new KryoException("Cannot read lambda of " + capturing.getName() + " (" + implMethod + "): "
                    + e.getCause(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new KryoException("Cannot read lambda of " + capturing.getName() + ": " + e, e);
        }
    }
}
