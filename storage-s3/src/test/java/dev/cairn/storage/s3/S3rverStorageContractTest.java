package dev.cairn.storage.s3;

/** The storage contract against s3rver (Node.js, another process) over http. */
class S3rverStorageContractTest extends ServerStorageContractTest {
    @Override
    protected S3TestServer startServer() throws Exception {
        return S3rverServer.start(false, BUCKET);
    }
}
