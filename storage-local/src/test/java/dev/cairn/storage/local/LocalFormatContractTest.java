package dev.cairn.storage.local;

import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.tck.FormatContractTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class LocalFormatContractTest extends FormatContractTest {
    @TempDir
    static Path root;

    @Override
    protected StorageProvider provider() {
        return new LocalStorageProvider();
    }

    @Override
    protected URI newCheckpointDirectory() throws Exception {
        return Files.createTempDirectory(root, "format ünïcode ").toUri();
    }
}
