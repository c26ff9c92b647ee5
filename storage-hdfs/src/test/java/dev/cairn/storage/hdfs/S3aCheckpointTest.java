package dev.cairn.storage.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CheckpointMode;
import dev.cairn.Dataset;
import dev.cairn.ListingTimeoutException;
import dev.cairn.checkpoint.CheckpointLayout;
import dev.cairn.storage.FileStatus;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Checkpoints on {@code s3a://} against an in-process S3Proxy (path-style, endpoint override):
 * parts are written straight to their names, and listings are polled (eventual by default).
 */
class S3aCheckpointTest extends HadoopCheckpointTest {
    @RegisterExtension
    static final S3aBucket S3 = new S3aBucket("checkpoints");

    @Override
    protected URI checkpointBase() {
        return URI.create(S3.uri() + "/ckpt");
    }

    /** The S3A settings, and a short listing timeout so that tests of missing files do not wait a minute. */
    @Override
    protected Map<String, String> storeOptions() {
        Map<String, String> options = S3.options();
        options.put("cairn.checkpoint.listing.timeout", "2s");
        return options;
    }

    @Test
    void partsAreWrittenInPlaceWithNoTemporaryFiles() throws Exception {
        CairnContext ctx = context();
        assertFalse(((HadoopStorage) inspector()).publishesByRename());
        Dataset<Long> ds = ctx.range(0, 50_000, 5);
        ds.checkpoint(CheckpointMode.EAGER);
        URI location = ds.checkpointLocation().orElseThrow();
        List<FileStatus> files = inspector().list(location);
        assertEquals(expectedFiles(5, false), names(files), "no hidden temporaries: S3A shows an object only once it is whole");
    }

    @Test
    void aMissingPartOnAnEventualStoreIsReportedAfterPollingTheListing() throws Exception {
        URI location = writeCheckpoint(3);
        inspector().delete(CheckpointLayout.child(location, "part-00001"));

        ListingTimeoutException e = assertThrows(ListingTimeoutException.class, () -> context().readCheckpoint(location));
        assertEquals(List.of("part-00001"), e.missingParts());
        assertTrue(e.listings() > 1, "polled " + e.listings() + " times");
    }

    @Test
    void strongListingIsOneOptionAway() throws Exception {
        Map<String, String> strong = Map.of(HadoopStorageProvider.S3A_LISTING_CONSISTENCY, "strong");
        URI location = writeCheckpoint(3);
        inspector().delete(CheckpointLayout.child(location, "part-00002"));

        dev.cairn.MissingPartException e = assertThrows(dev.cairn.MissingPartException.class,
                () -> context(strong).readCheckpoint(location));
        assertEquals("part-00002", e.file(), "one listing decides on a strong store");
    }
}
