package dev.cairn.benchmarks.jmh;

import dev.cairn.Pair;
import dev.cairn.benchmarks.Workload;
import java.util.ArrayList;
import java.util.List;

/** Pre-built points for the JMH benchmarks, so they measure encoding and I/O, not building records. */
final class Points {
    private Points() {
    }

    static List<Object> of(long from, int count) {
        List<Object> out = new ArrayList<>(count);
        for (long i = from; i < from + count; i++) {
            out.add(new Pair<>(i, Workload.features(i)));
        }
        return out;
    }
}
