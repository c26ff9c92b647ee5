package dev.cairn.storage.hdfs;

import dev.cairn.storage.Storage;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The storage contract against {@code s3a://} on an in-process S3Proxy: direct writes, aborted
 * uploads, eventual listing (the default for s3a), multipart uploads of 5 MiB parts.
 */
class S3aStorageContractTest extends HadoopStorageContractTest {
    @RegisterExtension
    @Order(1)
    static final S3aBucket S3 = new S3aBucket("tck");
    @RegisterExtension
    @Order(2)
    static final PerClass<HadoopStorage> STORAGE = storageFor("s3a", S3::options);

    @Override
    protected Storage storage() {
        return STORAGE.get();
    }

    @Override
    protected URI newBaseDirectory() {
        return S3.newDirectory("tck base ü");
    }

    /** 16 MiB: four 5 MiB multipart parts through S3Proxy's in-memory store. */
    @Override
    protected long largeFileSize() {
        return 16L << 20;
    }

    /** Each file costs S3A several requests (HEAD, LIST, PUT); 100 keeps the class quick. */
    @Override
    protected int smallFileCount() {
        return 100;
    }

    @Override
    protected Duration listingTimeout() {
        return Duration.ofSeconds(5);
    }
}
