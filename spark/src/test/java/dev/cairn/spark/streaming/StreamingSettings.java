package dev.cairn.spark.streaming;

import java.util.List;

/**
 * Spark settings of the streaming tests: checkpoints through {@link CairnCheckpointFileManager},
 * and Spark's own housekeeping made frequent so that a few batches exercise all of it: offset
 * and commit logs purged after 5 batches, state store snapshots after 3 deltas, maintenance
 * (snapshots, deletion of old state files, both of which list) every half second. Two state
 * partitions and no whole-stage code generation keep a batch short on a loaded 2-core machine.
 */
final class StreamingSettings {
    private StreamingSettings() {
    }

    /** "key", "value", … */
    static List<String> checkpointsOnCairn() {
        return checkpointsThrough(CairnCheckpointFileManager.class);
    }

    /** The same, with another manager class (a test wrapper). */
    static List<String> checkpointsThrough(Class<?> manager) {
        return List.of(
                "spark.sql.streaming.checkpointFileManagerClass", manager.getName(),
                "spark.sql.streaming.minBatchesToRetain", "5",
                "spark.sql.streaming.stateStore.minDeltasForSnapshot", "3",
                "spark.sql.streaming.stateStore.maintenanceInterval", "500ms",
                "spark.sql.shuffle.partitions", "2",
                "spark.sql.codegen.wholeStage", "false");
    }
}
