package dev.cairn;

import dev.cairn.config.CairnOptions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ErrorsTest {
    static CairnContext ctx;

    @BeforeAll
    static void start() {
        ctx = CairnContext.builder().appName("errors").parallelism(2).build();
    }

    @AfterAll
    static void stop() {
        ctx.close();
    }

    static void assertMessage(Runnable call, String... fragments) {
        CairnException e = assertThrows(CairnException.class, call::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message should contain '" + f + "': " + e.getMessage());
        }
    }

    @Test
    void badSourceArgumentsFailAtOnce() {
        assertMessage(() -> ctx.range(10, 5, 2), "[10, 5)", "end >= start");
        assertMessage(() -> ctx.range(0, 5, 0), "numPartitions > 0", "found 0");
        assertMessage(() -> ctx.range(0, 5, -3), "found -3");
        assertMessage(() -> ctx.range(Long.MIN_VALUE, Long.MAX_VALUE, 2), "Long.MAX_VALUE");
        assertMessage(() -> ctx.parallelize(List.of(1), 0), "numPartitions > 0");
        assertMessage(() -> ctx.parallelize(null, 1), "found null");
    }

    @Test
    void badTransformationArgumentsFailAtOnce() {
        Dataset<Long> ds = ctx.range(0, 5, 1);
        assertMessage(() -> ds.map((Function<Long, Long>) null), "Cannot map dataset RangeDataset[", "found null");
        assertMessage(() -> ds.filter(null), "filter", "predicate");
        assertMessage(() -> ds.flatMap(null), "flatMap");
        assertMessage(() -> ds.keyBy(null), "keyBy");
        assertMessage(() -> ds.repartition(0), "repartition", "found 0");
        assertMessage(() -> ds.coalesce(-1), "coalesce", "found -1");
        assertMessage(() -> ds.take(-1), "n >= 0");
        assertMessage(() -> ds.keyBy(x -> x).reduceByKey(Long::sum, 0), "reduceByKey");
        assertMessage(() -> ds.keyBy(x -> x).join(null), "join", "found null");
        assertMessage(() -> CairnContext.builder().parallelism(0), "parallelism > 0", "found 0");
        assertMessage(() -> new HashPartitioner(0), "partitions > 0");
    }

    @Test
    void taskFailureNamesDatasetAndPartitionAndKeepsTheCause() {
        IllegalStateException boom = new IllegalStateException("bad record 17");
        Dataset<Long> failing = ctx.range(0, 40, 4).map(x -> {
            if (x == 17) {
                throw boom;
            }
            return x;
        });
        TaskFailedException e = assertThrows(TaskFailedException.class, failing::count);
        assertSame(boom, e.getCause());
        assertEquals(1, e.partition());
        assertEquals(failing.id(), e.datasetId());
        assertTrue(e.getMessage().contains("partition 1 of dataset MapPartitionsDataset[" + failing.id() + "]"), e.getMessage());
        assertTrue(e.getMessage().contains("bad record 17"), e.getMessage());
        // the context survives a failed job
        assertEquals(40, ctx.range(0, 40, 4).count());
    }

    @Test
    void failureInsideAShuffleMapStageIsReportedToo() {
        KeyedDataset<Long, Long> ds = ctx.range(0, 10, 2).keyBy(x -> {
            if (x == 9) {
                throw new ArithmeticException("nine");
            }
            return x;
        });
        TaskFailedException e = assertThrows(TaskFailedException.class, () -> ds.reduceByKey(Long::sum).count());
        assertEquals(ds.id(), e.datasetId());
        assertEquals(1, e.partition());
        assertTrue(e.getCause() instanceof ArithmeticException);
    }

    @Test
    void closedContextFailsClearly() {
        CairnContext c = CairnContext.builder().appName("short-lived").parallelism(1).build();
        Dataset<Long> ds = c.range(0, 10, 1);
        c.close();
        c.close(); // idempotent
        assertTrue(c.isClosed());
        assertMessage(ds::count, "closed", "short-lived");
        assertMessage(() -> c.range(0, 1, 1), "closed");
    }

    @Test
    void unknownOptionSuggestsTheNearestKey() {
        assertMessage(() -> CairnContext.builder().option("cairn.serialiser", "kryo").build(),
                "cairn.serialiser", "did you mean 'cairn.serializer'");
        assertMessage(() -> CairnContext.builder().option("cairn.checkpoint.listing.timout", "5s").build(),
                "did you mean 'cairn.checkpoint.listing.timeout'");
        // keys outside cairn.* belong to the application and pass through
        try (CairnContext c = CairnContext.builder().option("myapp.setting", "1").option("cairn.hadoop.fs.defaultFS", "hdfs://nn").build()) {
            assertEquals("1", c.options().get("myapp.setting").orElseThrow());
        }
    }

    @Test
    void badOptionValuesFailTheBuildNotTheFirstCheckpoint() {
        assertMessage(() -> CairnContext.builder().option("cairn.checkpoint.compression", "snappy").build(), "snappy", "lz4");
        assertMessage(() -> CairnContext.builder().option("cairn.checkpoint.listing.timeout", "soon").build(),
                "cairn.checkpoint.listing.timeout", "duration");
        assertMessage(() -> CairnContext.builder().option("cairn.checkpoint.verify", "maybe").build(), "auto, checksum or size");
        assertMessage(() -> CairnContext.builder().option("cairn.serializer", "protobuf").build(), "protobuf");
        assertMessage(() -> CairnContext.builder().checkpointDir("gopher://host/ckpt").build(), "gopher", "memory");
    }

    @Test
    void optionValuesAreParsedWithClearErrors() {
        CairnOptions o = CairnOptions.of(java.util.Map.of("t", "250ms", "u", "2m", "s", "8MiB", "b", "maybe", "n", "x"));
        assertEquals(java.time.Duration.ofMillis(250), o.getDuration("t", null));
        assertEquals(java.time.Duration.ofMinutes(2), o.getDuration("u", null));
        assertEquals(8L << 20, o.getBytes("s", 0));
        assertMessage(() -> o.getBoolean("b", false), "option b", "true or false", "maybe");
        assertMessage(() -> o.getInt("n", 0), "option n", "whole number");
        assertMessage(() -> o.getDuration("b", null), "duration");
    }
}
