package dev.cairn.serde;

import static dev.cairn.serde.RecordStreams.read;
import static dev.cairn.serde.RecordStreams.serializer;
import static dev.cairn.serde.RecordStreams.write;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.serde.RecordStreams.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One Serializer shared by four threads, each with its own streams, as partitions are written. */
class ConcurrencyTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 10;
    private static final int RECORDS = 1000;

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("dev.cairn.serde.RecordStreams#matrix")
    void fourThreadsShareOneSerializer(String name, Compression compression) throws Exception {
        Serializer shared = serializer(name);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                Callable<Integer> work = () -> {
                    start.await(30, TimeUnit.SECONDS);
                    int verified = 0;
                    for (int round = 0; round < ROUNDS; round++) {
                        List<Object> records = new ArrayList<>();
                        for (int i = 0; i < RECORDS; i++) {
                            records.add(i % 10 == 0 ? null : new Pair<>(thread * 1_000_000L + round * RECORDS + i,
                                    List.of("t" + thread, "r" + round)));
                        }
                        byte[] bytes = write(shared, compression, records);
                        assertEquals(records, read(shared, compression, bytes), "thread " + thread + " round " + round);
                        verified += records.size();
                    }
                    return verified;
                };
                results.add(pool.submit(work));
            }
            for (Future<Integer> f : results) {
                assertEquals(ROUNDS * RECORDS, f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
