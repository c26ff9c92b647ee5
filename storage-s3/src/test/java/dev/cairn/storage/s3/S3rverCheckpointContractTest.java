package dev.cairn.storage.s3;

/** The checkpoint contract on s3rver (Node.js, another process) over http. */
class S3rverCheckpointContractTest extends ServerCheckpointContractTest {
    @Override
    protected S3TestServer startServer() throws Exception {
        return S3rverServer.start(false, BUCKET);
    }
}
