package dev.cairn.serde;

import static dev.cairn.serde.RecordStreams.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.RecordStreams.Pair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 14, item 3: a record whose classes a reader cannot load by name must fail its write, naming
 * the record and the class, instead of being committed and failing every read. Where a sound encoding
 * exists (serializable lambdas) it must really read back, through a fresh class loader.
 */
class UnreadableClassesTest {

    /** A serializer of each format that loads classes through {@code loader}. */
    private static final Map<String, BiFunction<CairnOptions, ClassLoader, Serializer>> SERIALIZERS = Map.of(
            "kryo", KryoSerializer::new,
            "java", JavaSerializer::new);

    private static Serializer serializer(String name, ClassLoader loader) {
        return SERIALIZERS.get(name).apply(CairnOptions.empty(), loader);
    }

    /** Defined as a hidden class by {@link #hiddenInstance()}; as itself it is an ordinary class. */
    public static final class HiddenTemplate implements Serializable {
        private static final long serialVersionUID = 1L;
        public int value = 3;
    }

    @ParameterizedTest
    @ValueSource(strings = {"kryo", "java"})
    void serializableLambdaReadsBackThroughAFreshClassLoader(String name) throws Exception {
        byte[] bytes;
        try (URLClassLoader writer = IsolatedClasses.freshLoader()) {
            Object holder = IsolatedClasses.call(writer, "serializableLambda", 5L);
            assertEquals(15L, IsolatedClasses.call(writer, "apply", holder, 10L), "sanity: the lambda works");
            bytes = RecordStreams.write(serializer(name, writer), Compression.NONE, List.of("before", holder, "after"));
        }

        try (URLClassLoader reader = IsolatedClasses.freshLoader()) {
            List<Object> back = read(serializer(name, reader), Compression.NONE, bytes);

            Object holder = back.get(1);
            assertSame(reader, holder.getClass().getClassLoader(), "the record class comes from the reader's loader");
            assertSame(reader.loadClass(IsolatedClasses.HOLDER), holder.getClass());
            assertEquals(15L, IsolatedClasses.call(reader, "apply", holder, 10L), "the lambda still adds 5");
            assertEquals(List.of("before", "after"), List.of(back.get(0), back.get(2)));
        }
        assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains("$$Lambda"),
                "no hidden class name in the stream");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kryo", "java"})
    void lambdaThatIsNotSerializableFailsTheWriteNamingRecordClassAndRemedy(String name) throws Exception {
        try (URLClassLoader loader = IsolatedClasses.freshLoader()) {
            Object holder = IsolatedClasses.call(loader, "plainLambda", 5L);
            Serializer serializer = serializer(name, loader);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            RecordOutput out = serializer.newOutput(bytes);
            out.write(IsolatedClasses.call(loader, "plain", 1L));

            CairnException e = assertThrows(CairnException.class, () -> out.write(holder));
            assertThrows(IOException.class, () -> out.write("after the failure"));
            out.close();

            String m = e.getMessage();
            assertTrue(m.startsWith("Cannot write record: " + name + " stream at record index 1 ("), m);
            assertTrue(m.contains("$$Lambda"), "names the lambda's class: " + m);
            assertTrue(m.contains("inside a " + IsolatedClasses.HOLDER), "names the record's class: " + m);
            assertTrue(m.contains("make the lambda Serializable"), "says what to do: " + m);
            // Nothing half-written passes for a complete stream: kryo dropped its buffered bytes, java
            // serialization wrote its "writing aborted" mark; either way reading fails.
            assertThrows(IOException.class, () -> read(serializer, Compression.NONE, bytes.toByteArray()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"kryo", "java"})
    void hiddenClassFailsTheWrite(String name) throws Exception {
        Object hidden = hiddenInstance();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Serializer serializer = serializer(name, getClass().getClassLoader());
        RecordOutput out = serializer.newOutput(bytes);

        CairnException e = assertThrows(CairnException.class, () -> out.write(new Pair<>("k", hidden)));
        out.close();

        String m = e.getMessage();
        assertTrue(m.contains("record index 0"), m);
        assertTrue(m.contains(hidden.getClass().getName()), m);
        assertTrue(m.contains("a hidden class, so no other JVM can load it by name"), m);
        assertTrue(m.contains("inside a " + Pair.class.getName()), m);
        assertThrows(IOException.class, () -> read(serializer, Compression.NONE, bytes.toByteArray()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"kryo", "java"})
    void classTheSerializersLoaderCannotSeeFailsTheWrite(String name) throws Exception {
        try (URLClassLoader other = IsolatedClasses.freshLoader()) {
            Object holder = IsolatedClasses.call(other, "plain", 3L);
            // The test's own loader cannot load isolated.Fixtures$Holder: no reader configured like this
            // writer could read the record.
            Serializer serializer = serializer(name, getClass().getClassLoader());
            RecordOutput out = serializer.newOutput(new ByteArrayOutputStream());

            CairnException e = assertThrows(CairnException.class, () -> out.write(holder));
            out.close();

            String m = e.getMessage();
            assertTrue(m.contains("found " + IsolatedClasses.HOLDER + ", not loadable by name through the serializer's"
                    + " class loader"), m);
            assertTrue(m.contains("create the serializer with a class loader that sees the class"), m);
        }
    }

    @Test
    void withRegistrationRequiredALambdaNeedsItsCapturingClassRegistered() throws Exception {
        try (URLClassLoader loader = IsolatedClasses.freshLoader()) {
            Object holder = IsolatedClasses.call(loader, "serializableLambda", 2L);
            KryoSerializer holderOnly = new KryoSerializer(CairnOptions.of(Map.of(
                    KryoSerializer.OPTION_REGISTRATION_REQUIRED, "true",
                    KryoSerializer.OPTION_CLASSES, IsolatedClasses.HOLDER)), loader);
            KryoSerializer both = new KryoSerializer(CairnOptions.of(Map.of(
                    KryoSerializer.OPTION_REGISTRATION_REQUIRED, "true",
                    KryoSerializer.OPTION_CLASSES, IsolatedClasses.HOLDER + "," + IsolatedClasses.FIXTURES)), loader);

            RecordOutput out = holderOnly.newOutput(new ByteArrayOutputStream());
            CairnException e = assertThrows(CairnException.class, () -> out.write(holder));
            out.close();
            List<Object> back = RecordStreams.roundTrip(both, Compression.NONE, List.of(holder));

            assertTrue(e.getMessage().contains(IsolatedClasses.FIXTURES), e.getMessage());
            assertTrue(e.getMessage().contains(KryoSerializer.OPTION_CLASSES), e.getMessage());
            assertEquals(12L, IsolatedClasses.call(loader, "apply", back.get(0), 10L));
        }
    }

    @Test
    void aWriteFailingInsideARecordLeavesNoCompleteStream() throws Exception {
        // The failure happens in the middle of a record (its second component), after three good ones:
        // whatever reached the target must not read as a complete stream of three or four records.
        try (URLClassLoader loader = IsolatedClasses.freshLoader()) {
            for (String name : List.of("kryo", "java")) {
                Serializer serializer = serializer(name, loader);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                RecordOutput out = serializer.newOutput(bytes);
                for (int i = 0; i < 3; i++) {
                    out.write(IsolatedClasses.call(loader, "plain", (long) i));
                }
                assertThrows(CairnException.class,
                        () -> out.write(new Pair<>("key", IsolatedClasses.call(loader, "plainLambda", 1L))));
                out.close();

                IOException e = assertThrows(IOException.class, () -> read(serializer, Compression.NONE, bytes.toByteArray()));
                assertFalse(e.getMessage().contains("after 4 records"), name + ": " + e.getMessage());
            }
        }
    }

    private static Object hiddenInstance() throws Exception {
        byte[] bytes;
        try (InputStream in = HiddenTemplate.class.getResourceAsStream("UnreadableClassesTest$HiddenTemplate.class")) {
            bytes = in.readAllBytes();
        }
        Class<?> hidden = MethodHandles.lookup().defineHiddenClass(bytes, true).lookupClass();
        assertTrue(hidden.isHidden(), "sanity: " + hidden);
        return hidden.getDeclaredConstructor().newInstance();
    }
}
