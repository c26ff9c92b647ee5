package dev.cairn.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Core's module exports the API, the ML helpers, the format API and the SPIs, and nothing of the engine. */
class ModuleDescriptorTest {

    @Test
    void exportsThePublicPackagesOnly() throws IOException {
        ModuleDescriptor module;
        Path classes = Path.of(URI.create(dev.cairn.Dataset.class.getProtectionDomain().getCodeSource().getLocation().toString()));
        Path descriptor = Files.isDirectory(classes) ? classes.resolve("module-info.class") : null;
        assertTrue(descriptor != null && Files.exists(descriptor), "core has a module-info.class next to its classes: " + classes);
        try (InputStream in = Files.newInputStream(descriptor)) {
            module = ModuleDescriptor.read(in);
        }
        assertEquals("dev.cairn.core", module.name());
        Set<String> exported = new TreeSet<>();
        module.exports().forEach(e -> exported.add(e.source()));
        assertEquals(new TreeSet<>(Set.of("dev.cairn", "dev.cairn.ml", "dev.cairn.checkpoint", "dev.cairn.serde", "dev.cairn.storage",
                "dev.cairn.storage.memory", "dev.cairn.config")), exported);
        assertTrue(Files.isDirectory(classes.resolve("dev/cairn/internal/engine")) && !exported.contains("dev.cairn.internal.engine"),
                "the engine is in the module, not exported");
        assertTrue(module.provides().stream().anyMatch(p -> p.service().equals("dev.cairn.storage.StorageProvider")),
                "memory:// is provided as a service");
    }
}
