package dev.cairn.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SerializersTest {

    @Test
    void forNameFindsBothBuiltIns() {
        Serializer kryo = Serializers.forName("kryo", CairnOptions.empty());
        Serializer java = Serializers.forName(" JAVA ", CairnOptions.empty());

        assertInstanceOf(KryoSerializer.class, kryo);
        assertEquals("kryo", kryo.name());
        assertInstanceOf(JavaSerializer.class, java);
        assertEquals("java", java.name());
    }

    @Test
    void unknownNameListsTheValidOnes() {
        CairnException e = assertThrows(CairnException.class, () -> Serializers.forName("avro", CairnOptions.empty()));

        assertTrue(e.getMessage().contains("found 'avro'"), e.getMessage());
        assertTrue(e.getMessage().contains("kryo, java"), e.getMessage());
        assertThrows(CairnException.class, () -> Serializers.forName(null, CairnOptions.empty()));
    }

    @Test
    void fromOptionsDefaultsToKryoAndPassesTheOptionsOn() {
        assertInstanceOf(KryoSerializer.class, Serializers.fromOptions(CairnOptions.empty()));
        assertInstanceOf(JavaSerializer.class,
                Serializers.fromOptions(CairnOptions.of(Map.of(Serializers.OPTION_SERIALIZER, "java"))));

        CairnException e = assertThrows(CairnException.class, () -> Serializers.fromOptions(
                CairnOptions.of(Map.of(KryoSerializer.OPTION_CLASSES, "com.example.Missing"))));
        assertTrue(e.getMessage().contains("com.example.Missing"), e.getMessage());
    }

    @Test
    void optionKeysAreTheOnesThisPackageReads() {
        Set<String> keys = Serializers.optionKeys();

        assertEquals(List.of("cairn.java.allowed-classes", "cairn.kryo.classes", "cairn.kryo.references",
                "cairn.kryo.registration-required", "cairn.serializer"), List.copyOf(keys));
        assertThrows(UnsupportedOperationException.class, () -> keys.add("cairn.other"));
    }
}
