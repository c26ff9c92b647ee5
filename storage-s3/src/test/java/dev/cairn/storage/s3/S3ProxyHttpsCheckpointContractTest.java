package dev.cairn.storage.s3;

import dev.cairn.testkit.S3ProxyServer;

/** The checkpoint contract on S3Proxy in this JVM over https. */
class S3ProxyHttpsCheckpointContractTest extends ServerCheckpointContractTest {
    @Override
    protected S3TestServer startServer() throws Exception {
        return S3TestServer.of(S3ProxyServer.builder().buckets(BUCKET).https(true).start());
    }
}
