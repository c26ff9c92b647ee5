package dev.cairn.storage.s3;

/** The storage contract against S3Proxy in this JVM over http. */
class S3StorageContractTest extends ServerStorageContractTest {
    @Override
    protected S3TestServer startServer() throws Exception {
        return S3TestServer.start(BUCKET);
    }
}
