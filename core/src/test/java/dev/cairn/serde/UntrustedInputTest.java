package dev.cairn.serde;

import static dev.cairn.serde.RecordStreams.read;
import static dev.cairn.serde.RecordStreams.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.serde.RecordStreams.Pair;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.net.URLClassLoader;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, "Untrusted checkpoints": a checkpoint read from a shared store is input from whoever could
 * write there. Java deserialization runs through a filter that combines option
 * {@value JavaSerializer#OPTION_ALLOWED_CLASSES} with the JVM-wide {@code jdk.serialFilter}; a refused
 * class fails the read with an error naming the class and the setting, before any of its code runs.
 */
class UntrustedInputTest {
    static final AtomicInteger GADGET_READS = new AtomicInteger();

    /** Stands for a gadget class: its readObject is code an attacker would like to run. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        final String command;

        Gadget(String command) {
            this.command = command;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            GADGET_READS.incrementAndGet();
            in.defaultReadObject();
        }
    }

    private static JavaSerializer java(String allowed, ObjectInputFilter jvmWide) {
        CairnOptions options = allowed == null ? CairnOptions.empty()
                : CairnOptions.of(Map.of(JavaSerializer.OPTION_ALLOWED_CLASSES, allowed));
        return new JavaSerializer(options, UntrustedInputTest.class.getClassLoader(), () -> jvmWide);
    }

    @Test
    void aClassOutsideTheAllowListIsRefusedNamingClassAndOptionBeforeItsCodeRuns() throws IOException {
        byte[] bytes = write(new JavaSerializer(), Compression.NONE,
                List.of(new Pair<>("fine", 1), new Pair<>("bad", new Gadget("rm -rf /"))));
        int readsBefore = GADGET_READS.get();

        IOException e = assertThrows(IOException.class, () -> read(java(Pair.class.getName(), null), Compression.NONE, bytes));

        assertInstanceOf(InvalidClassException.class, e);
        String m = e.getMessage();
        assertTrue(m.startsWith("Cannot read record: java stream at record index 1 (expected classes allowed by "
                + JavaSerializer.OPTION_ALLOWED_CLASSES + " [" + Pair.class.getName() + "], found " + Gadget.class.getName()
                + ";"), m);
        assertTrue(m.contains("refused before any of its code ran"), m);
        assertTrue(m.contains("add the class or its package to " + JavaSerializer.OPTION_ALLOWED_CLASSES), m);
        assertEquals(readsBefore, GADGET_READS.get(), "Gadget.readObject never ran");
    }

    @Test
    void aRefusedClassIsNotEvenInitialised() throws Exception {
        byte[] bytes;
        try (URLClassLoader writer = IsolatedClasses.freshLoader()) {
            bytes = write(new JavaSerializer(writer), Compression.NONE, List.of(IsolatedClasses.call(writer, "untouched")));
        }
        System.clearProperty(IsolatedClasses.UNTOUCHED_PROPERTY);

        try (URLClassLoader reader = IsolatedClasses.freshLoader()) {
            IOException e = assertThrows(IOException.class, () -> read(new JavaSerializer(CairnOptions.of(Map.of(
                    JavaSerializer.OPTION_ALLOWED_CLASSES, "java.lang.String")), reader), Compression.NONE, bytes));

            assertTrue(e.getMessage().contains("found " + IsolatedClasses.UNTOUCHED), e.getMessage());
            assertNull(System.getProperty(IsolatedClasses.UNTOUCHED_PROPERTY), "its static initialiser never ran");
            // Allowed, reading the same Class value does initialise it (Java serialization computes its
            // serialVersionUID): so the refusal above is what kept its code from running.
            read(new JavaSerializer(CairnOptions.of(Map.of(JavaSerializer.OPTION_ALLOWED_CLASSES, "isolated.**")), reader),
                    Compression.NONE, bytes);
            assertEquals("initialised", System.getProperty(IsolatedClasses.UNTOUCHED_PROPERTY));
        } finally {
            System.clearProperty(IsolatedClasses.UNTOUCHED_PROPERTY);
        }
    }

    @Test
    void allowedClassesAndPackagesRead() throws IOException {
        List<Object> records = List.of(new Pair<>("a", new Gadget("harmless")), new Pair<>(1L, new double[] {1}),
                new String[] {"s"}, Thread.State.NEW);
        byte[] bytes = write(new JavaSerializer(), Compression.NONE, records);
        int readsBefore = GADGET_READS.get();

        for (String allowed : List.of("dev.cairn.serde.*,java.lang.Thread$State",
                "dev.cairn.**, java.lang.Thread*",
                Pair.class.getName() + "," + Gadget.class.getName() + ",java.lang.Thread$State")) {
            List<Object> back = read(java(allowed, null), Compression.NONE, bytes);
            assertEquals("harmless", ((Gadget) ((Pair<?, ?>) back.get(0)).value()).command, allowed);
            assertEquals(Thread.State.NEW, back.get(3), allowed);
        }
        assertEquals(readsBefore + 3, GADGET_READS.get());
        // A package pattern does not reach into subpackages; ".**" does.
        assertThrows(IOException.class, () -> read(java("dev.cairn.*,java.lang.Thread$State", null), Compression.NONE, bytes));
    }

    @Test
    void theJvmWideFilterStillAppliesAndTheStricterWins() throws IOException {
        byte[] bytes = write(new JavaSerializer(), Compression.NONE, List.of(new Pair<>("bad", new Gadget("x"))));
        ObjectInputFilter refusesGadget = ObjectInputFilter.Config.createFilter("!" + Gadget.class.getName());
        ObjectInputFilter allowsAll = ObjectInputFilter.Config.createFilter("*");

        IOException jvmOnly = assertThrows(IOException.class, () -> read(java(null, refusesGadget), Compression.NONE, bytes));
        IOException listAllowsJvmRefuses = assertThrows(IOException.class,
                () -> read(java("dev.cairn.serde.*", refusesGadget), Compression.NONE, bytes));
        IOException jvmAllowsListRefuses = assertThrows(IOException.class,
                () -> read(java(Pair.class.getName(), allowsAll), Compression.NONE, bytes));

        assertTrue(jvmOnly.getMessage().contains("expected classes allowed by jdk.serialFilter"), jvmOnly.getMessage());
        assertTrue(jvmOnly.getMessage().contains("found " + Gadget.class.getName()), jvmOnly.getMessage());
        assertTrue(listAllowsJvmRefuses.getMessage().contains("jdk.serialFilter"), listAllowsJvmRefuses.getMessage());
        assertTrue(jvmAllowsListRefuses.getMessage().contains(JavaSerializer.OPTION_ALLOWED_CLASSES),
                jvmAllowsListRefuses.getMessage());
    }

    @Test
    void theJvmWideFilterLimitsApplyToo() throws IOException {
        byte[] bytes = write(new JavaSerializer(), Compression.NONE, List.of(new long[1000]));

        IOException e = assertThrows(IOException.class, () -> read(java(null,
                ObjectInputFilter.Config.createFilter("maxarray=100")), Compression.NONE, bytes));

        assertTrue(e.getMessage().contains("jdk.serialFilter"), e.getMessage());
        assertTrue(e.getMessage().contains("array length 1000"), e.getMessage());
    }

    @Test
    void aMalformedAllowListFailsNamingTheOption() {
        CairnException e = assertThrows(CairnException.class, () -> java("com.example.*.Bad", null));

        assertTrue(e.getMessage().contains(JavaSerializer.OPTION_ALLOWED_CLASSES), e.getMessage());
        assertTrue(e.getMessage().contains("com.example.*.Bad"), e.getMessage());
        assertThrows(CairnException.class, () -> java("a b", null));
        assertThrows(CairnException.class, () -> Serializers.fromOptions(CairnOptions.of(Map.of(
                Serializers.OPTION_SERIALIZER, "java", JavaSerializer.OPTION_ALLOWED_CLASSES, "**"))));
    }

    /**
     * Kryo carries JDK classes it cannot take apart in Java serialization; those bytes can name any
     * class, so they go through the same filter, and with registration required only registered
     * classes pass: registration is the setting for shared stores.
     */
    @Test
    void javaSerializedValuesInsideKryoStreamsAreFilteredToo() throws IOException {
        // AbstractMap.SimpleEntry is written with Java serialization by the kryo serializer.
        List<Object> records = List.of(new AbstractMap.SimpleEntry<>("k", new Gadget("inside")));
        String entry = AbstractMap.SimpleEntry.class.getName();
        byte[] plain = write(new KryoSerializer(CairnOptions.empty()), Compression.NONE, records);
        Map<String, String> registered = Map.of(KryoSerializer.OPTION_REGISTRATION_REQUIRED, "true",
                KryoSerializer.OPTION_CLASSES, entry);
        byte[] withRegistration = write(new KryoSerializer(CairnOptions.of(registered)), Compression.NONE, records);
        int readsBefore = GADGET_READS.get();

        IOException byList = assertThrows(IOException.class, () -> read(new KryoSerializer(CairnOptions.of(Map.of(
                JavaSerializer.OPTION_ALLOWED_CLASSES, entry))), Compression.NONE, plain));
        IOException byRegistration = assertThrows(IOException.class,
                () -> read(new KryoSerializer(CairnOptions.of(registered)), Compression.NONE, withRegistration));

        assertTrue(byList.getMessage().startsWith("Cannot read record: kryo stream at record index 0 (expected classes"
                + " allowed by " + JavaSerializer.OPTION_ALLOWED_CLASSES), byList.getMessage());
        assertTrue(byList.getMessage().contains("found " + Gadget.class.getName()), byList.getMessage());
        assertTrue(byRegistration.getMessage().contains("expected classes allowed by " + KryoSerializer.OPTION_CLASSES),
                byRegistration.getMessage());
        assertTrue(byRegistration.getMessage().contains("found " + Gadget.class.getName()), byRegistration.getMessage());
        assertEquals(readsBefore, GADGET_READS.get(), "Gadget.readObject never ran");

        // Registered, the same value reads.
        Map<String, String> both = Map.of(KryoSerializer.OPTION_REGISTRATION_REQUIRED, "true",
                KryoSerializer.OPTION_CLASSES, entry + "," + Gadget.class.getName());
        byte[] bytes = write(new KryoSerializer(CairnOptions.of(both)), Compression.NONE, records);
        Object back = read(new KryoSerializer(CairnOptions.of(both)), Compression.NONE, bytes).get(0);
        assertEquals("inside", ((Gadget) ((Map.Entry<?, ?>) back).getValue()).command);
    }
}
