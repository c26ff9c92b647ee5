package dev.cairn.storage.s3;

/** The checkpoint contract on s3rver (Node.js, another process) over https. */
class S3rverHttpsCheckpointContractTest extends ServerCheckpointContractTest {
    @Override
    protected S3TestServer startServer() throws Exception {
        return S3rverServer.start(true, BUCKET);
    }
}
