package dev.cairn.storage.s3;

/** The storage contract against s3rver (Node.js, another process) over https. */
class S3rverHttpsStorageContractTest extends ServerStorageContractTest {
    @Override
    protected S3TestServer startServer() throws Exception {
        return S3rverServer.start(true, BUCKET);
    }
}
