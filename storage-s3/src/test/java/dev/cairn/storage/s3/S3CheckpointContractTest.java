package dev.cairn.storage.s3;

/** The checkpoint contract on S3Proxy in this JVM over http. */
class S3CheckpointContractTest extends ServerCheckpointContractTest {
    @Override
    protected S3TestServer startServer() throws Exception {
        return S3TestServer.start(BUCKET);
    }
}
