package dev.cairn.storage.s3;

import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The checkpoint contract on s3rver (Node.js, another process) over http. */
class S3rverCheckpointContractTest extends ServerCheckpointContractTest {
    /** The sweep lists the run directory's checkpoint directories, each two levels above its files. */
    @RegisterExtension
    static final ServerGaps GAPS = ServerGaps.of(Map.of(
            "theOrphanSweepDeletesDebrisAndKeepsCommittedCheckpoints", ServerGaps.S3RVER_NESTED_PREFIXES));

    @Override
    protected S3TestServer startServer() throws Exception {
        return S3rverServer.start(false, BUCKET);
    }
}
