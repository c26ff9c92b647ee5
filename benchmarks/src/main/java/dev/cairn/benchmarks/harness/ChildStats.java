package dev.cairn.benchmarks.harness;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * Memory figures of the JVM it runs in, for the child processes of the harness.
 *
 * <ul>
 *   <li><b>peak heap</b>: the largest heap occupancy seen just before a garbage collection (that
 *       is where occupancy peaks) or now. It includes garbage not yet collected, so it follows the
 *       collector's sizing as much as the program.</li>
 *   <li><b>peak live heap</b>: the largest heap occupancy just after a collection: what the
 *       program really held. This is the figure that shows whether partitions stream.</li>
 *   <li><b>peak RSS</b>: {@code VmHWM} of {@code /proc/self/status}, the resident set's high-water
 *       mark (heap, metaspace, code, thread stacks, direct buffers, native codecs).</li>
 * </ul>
 */
public final class ChildStats {
    private final Set<String> heapPools = new HashSet<>();
    private final AtomicLong peakBeforeGc = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();

    private ChildStats() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
    }

    /** Starts listening to garbage collections. */
    public static ChildStats start() {
        ChildStats stats = new ChildStats();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((n, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                        max(stats.peakBeforeGc, stats.heapOf(info.getGcInfo().getMemoryUsageBeforeGc()));
                        max(stats.peakAfterGc, stats.heapOf(info.getGcInfo().getMemoryUsageAfterGc()));
                    }
                }, null, null);
            }
        }
        return stats;
    }

    private long heapOf(Map<String, MemoryUsage> usage) {
        long sum = 0;
        for (Map.Entry<String, MemoryUsage> e : usage.entrySet()) {
            if (heapPools.contains(e.getKey())) {
                sum += e.getValue().getUsed();
            }
        }
        return sum;
    }

    private static void max(AtomicLong target, long value) {
        target.accumulateAndGet(value, Math::max);
    }

    /** Peak heap occupancy, garbage included (bytes). */
    public long peakHeap() {
        return Math.max(peakBeforeGc.get(), ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }

    /** Peak heap occupancy after a collection (bytes); 0 if no collection ran. */
    public long peakLiveHeap() {
        return peakAfterGc.get();
    }

    /** Total collection pause/cycle time reported by the collectors (ms). */
    public static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /**
     * CPU time of the whole process so far (ns, all threads, user + system), or -1 where the JVM
     * does not report it. On a shared machine the CPU an action used moves far less with the
     * load than its wall time does.
     */
    public static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    /** Number of collections. */
    public static long gcCount() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionCount());
        }
        return sum;
    }

    /** The resident set's high-water mark (bytes), or -1 where {@code /proc} is missing. */
    public static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] f = line.trim().split("\\s+");
                    return Long.parseLong(f[1]) * 1024; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: report unknown
        }
        return -1;
    }
}
