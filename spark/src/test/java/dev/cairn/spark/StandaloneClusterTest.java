package dev.cairn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.CairnOptions;
import dev.cairn.spark.internal.JvmStorage;
import dev.cairn.spark.testkit.Point;
import dev.cairn.spark.testkit.StandaloneCluster;
import dev.cairn.spark.testkit.TaskGate;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.time.Duration;
import java.util.stream.IntStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness itself, on a real standalone cluster: records cross JVM boundaries through
 * Spark's Kryo serializer, classes of this module run on executors and reach storage from
 * there, and a checkpoint whose executor is killed mid-write completes with every part once.
 * The kill comes last: the cluster replaces the lost executor, which takes a while.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
    private static StandaloneCluster cluster;
    private static JavaSparkContext sc;

    /**
     * A user's element type, with a nested array and a null. A class, not a record: Spark's Kryo 4
     * cannot build serializers for records (it sets final fields through Unsafe, which Java 16+
     * refuses for records).
     */
    static final class Reading implements java.io.Serializable {
        long id;
        String sensor;
        double[] values;

        Reading() {
        }

        Reading(long id, String sensor, double[] values) {
            this.id = id;
            this.sensor = sensor;
            this.values = values;
        }
    }

    /** What a task saw: the executor JVM that ran it and the record it got. */
    static final class Seen implements java.io.Serializable {
        long pid;
        Reading reading;

        Seen() {
        }

        Seen(long pid, Reading reading) {
            this.pid = pid;
            this.reading = reading;
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = StandaloneCluster.start("smoke", 2);
        long t0 = System.nanoTime();
        sc = new JavaSparkContext(cluster.conf("cluster-smoke"));
        System.out.printf("cluster start %d ms, driver with 2 executors registered %d ms%n", cluster.startTime().toMillis(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    static void stopCluster() {
        if (sc != null) {
            sc.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<Reading> readings(int n) {
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Reading(i, i % 7 == 0 ? null : "s-" + i, new double[] {i, i / 3.0, -i}));
        }
        return out;
    }

    @Test
    @Order(1)
    void recordsTravelBetweenJvmsAndTasksRunInExecutorJvms() {
        List<Reading> input = readings(400);
        long t0 = System.nanoTime();
        List<Seen> seen = sc.parallelize(input, 8).map(r -> new Seen(ProcessHandle.current().pid(), r)).collect();
        System.out.printf("8-task job on the cluster: %d ms%n", (System.nanoTime() - t0) / 1_000_000);

        assertEquals(input.size(), seen.size());
        for (int i = 0; i < input.size(); i++) {
            Reading want = input.get(i);
            Reading got = seen.get(i).reading;
            assertEquals(want.id, got.id);
            assertEquals(want.sensor, got.sensor);
            assertArrayEquals(want.values, got.values);
        }
        Set<Long> pids = seen.stream().map(s -> s.pid).collect(Collectors.toCollection(TreeSet::new));
        assertFalse(pids.contains(ProcessHandle.current().pid()), "a task ran in the driver JVM: " + pids);
        Set<Long> executorPids = cluster.executors(sc.sc().applicationId()).stream().map(ProcessHandle::pid)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(2, executorPids.size(), "executor JVMs: " + executorPids);
        assertTrue(executorPids.containsAll(pids), "tasks ran in " + pids + ", executors are " + executorPids);
    }

    @Test
    @Order(2)
    void executorsReachStorageThroughTheirOwnRegistry(@TempDir Path dir) throws Exception {
        // Options travel with the task; each executor builds (once) and reuses its own registry.
        Map<String, String> options = Map.of("cairn.serializer", "kryo");
        URI base = dir.toUri();
        List<String> written = sc.parallelize(IntStream.range(0, 6).boxed().toList(), 6).map(i -> {
            Storage storage = JvmStorage.registry(CairnOptions.of(options)).storageFor(base);
            URI file = base.resolve("from-task-" + i);
            try (StorageOutput out = storage.create(file, false)) {
                out.write(("task " + i + " in " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8));
                out.commit();
            }
            return file.toString();
        }).collect();

        assertEquals(6, written.size());
        for (String f : written) {
            String content = Files.readString(Path.of(URI.create(f)));
            assertTrue(content.startsWith("task "), content);
            assertNotEquals(Long.toString(ProcessHandle.current().pid()), content.substring(content.lastIndexOf(' ') + 1));
        }
        // and what executors wrote, the driver reads back through the same API
        try (InputStream in = JvmStorage.registry(CairnOptions.of(options)).storageFor(base).open(URI.create(written.get(0)))) {
            assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).startsWith("task 0 in "));
        }
    }

    @Test
    @Order(3)
    void aCheckpointSurvivesAnExecutorKilledMidWrite(@TempDir Path dir) throws Exception {
        TaskGate gate = TaskGate.create(dir, Set.of(2));
        String appId = sc.sc().applicationId();
        String location = dir.resolve("ckpt").toUri().toString();
        JavaRDD<Point> points = sc.parallelize(Point.upTo(6_000), 6)
                .mapPartitionsWithIndex((p, it) -> pausingHalfWay(it, gate, p), true);

        CompletableFuture<JavaRDD<Point>> job = CompletableFuture.supplyAsync(() -> CairnSpark.checkpoint(points, location));
        TaskGate.Arrival victim = gate.awaitArrival(2, Duration.ofSeconds(60));
        cluster.killExecutor(appId, victim.pid());
        gate.open();
        JavaRDD<Point> back = job.get(3, TimeUnit.MINUTES);

        assertEquals(Point.upTo(6_000), back.collect());
        assertTrue(gate.arrivals(2).size() >= 2, "partition 2 was retried: " + gate.arrivals(2));
        assertEquals(List.of("_manifest.json", "part-00000", "part-00001", "part-00002", "part-00003", "part-00004", "part-00005"),
                CheckpointRddTest.listNames(dir.resolve("ckpt")), "one complete part per partition, nothing else");
        // executors in other JVMs read it back, and so does another application (a Cairn one)
        assertEquals(6_000, CairnSpark.readCheckpoint(sc, location).count());
        try (dev.cairn.CairnContext ctx = dev.cairn.CairnContext.builder().appName("other-app").parallelism(2).build()) {
            assertEquals(Point.upTo(6_000), ctx.readCheckpoint(URI.create(location)).collect());
        }
    }

    /** The records of a partition, handed out one by one; half way through, the task reaches the gate. */
    private static java.util.Iterator<Point> pausingHalfWay(java.util.Iterator<Point> in, TaskGate gate, int partition) {
        List<Point> all = new ArrayList<>();
        in.forEachRemaining(all::add);
        return new java.util.Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < all.size();
            }

            @Override
            public Point next() {
                if (next == all.size() / 2) {
                    gate.arrive(partition); // partition 2, attempt 0: half its records are in the part writer
                }
                return all.get(next++);
            }
        };
    }
}
