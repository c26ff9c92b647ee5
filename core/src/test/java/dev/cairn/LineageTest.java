package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LineageTest {
    static CairnContext ctx;

    @BeforeAll
    static void start() {
        ctx = CairnContext.builder().appName("lineage").parallelism(2).build();
    }

    @AfterAll
    static void stop() {
        ctx.close();
    }

    @Test
    void lineageIsAnIndentedTreeOneDatasetPerLine() {
        Dataset<Long> source = ctx.range(0, 100, 4);
        Dataset<Long> mapped = source.map(x -> x + 1);
        Dataset<Long> filtered = mapped.filter(x -> x % 2 == 0);
        String[] lines = filtered.lineage().split("\n");
        assertEquals(3, lines.length, filtered.lineage());
        assertEquals("MapPartitionsDataset[" + filtered.id() + "] (4 partitions) filter", lines[0]);
        assertEquals("  MapPartitionsDataset[" + mapped.id() + "] (4 partitions) map", lines[1]);
        assertEquals("    RangeDataset[" + source.id() + "] (4 partitions) range(0, 100)", lines[2]);
        assertEquals(3, filtered.lineageDepth());
        assertEquals(1, source.lineageDepth());
    }

    @Test
    void unionAndJoinShowEveryParentAndDepthIsTheLongestPath() {
        Dataset<Long> a = ctx.range(0, 10, 2).map(x -> x).map(x -> x);
        Dataset<Long> b = ctx.range(0, 10, 3);
        Dataset<Long> u = a.union(b);
        String lineage = u.lineage();
        assertTrue(lineage.startsWith("UnionDataset[" + u.id() + "] (5 partitions) union\n"), lineage);
        assertTrue(lineage.contains("\n      RangeDataset[" + (a.id() - 2) + "] (2 partitions)"), lineage);
        assertTrue(lineage.contains("\n  RangeDataset[" + b.id() + "] (3 partitions)"), lineage);
        assertEquals(4, u.lineageDepth());

        KeyedDataset<Long, Long> k = ctx.range(0, 10, 2).keyBy(x -> x);
        KeyedDataset<Long, Pair<Long, Long>> self = k.join(k.mapValues(v -> v * 2));
        String joined = self.lineage();
        assertTrue(joined.contains("CoGroupedDataset["), joined);
        assertTrue(joined.contains("(shown above)"), "a dataset reached twice is not expanded twice:\n" + joined);
    }

    @Test
    void iterativeLineageGrowsOneLevelPerStep() {
        Dataset<Long> ds = ctx.range(0, 100, 2);
        for (int i = 0; i < 25; i++) {
            ds = ds.map(x -> x + 1);
        }
        assertEquals(26, ds.lineageDepth());
        assertEquals(26, ds.lineage().split("\n").length);
        assertEquals(List.of(25L, 26L), ds.take(2));
    }

    @Test
    void namesAndStorageLevelsAppearInLineage() {
        Dataset<Long> ds = ctx.range(0, 4, 1).map(x -> x).setName("factors-3").cache();
        assertTrue(ds.lineage().startsWith("MapPartitionsDataset[" + ds.id() + "] (1 partition) map 'factors-3' [MEMORY]"),
                ds.lineage());
        assertEquals("MapPartitionsDataset[" + ds.id() + "] 'factors-3'", ds.toString());
    }
}
