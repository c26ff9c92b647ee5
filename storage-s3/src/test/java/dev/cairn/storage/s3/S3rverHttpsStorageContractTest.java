package dev.cairn.storage.s3;

import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The storage contract against s3rver (Node.js, another process) over https. */
class S3rverHttpsStorageContractTest extends ServerStorageContractTest {
    @RegisterExtension
    static final ServerGaps GAPS = ServerGaps.of(Map.of(
            "commitCreatesMissingParentDirectories", ServerGaps.S3RVER_NESTED_PREFIXES,
            "pathsWithSpacesUnicodeAndUriSpecialCharactersWork", ServerGaps.S3RVER_NESTED_PREFIXES));

    @Override
    protected S3TestServer startServer() throws Exception {
        return S3rverServer.start(true, BUCKET);
    }
}
