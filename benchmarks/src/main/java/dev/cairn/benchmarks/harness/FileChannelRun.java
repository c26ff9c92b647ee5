package dev.cairn.benchmarks.harness;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The physical-limit baseline, in a JVM of its own: writes {@code --bytes} bytes split over
 * {@code --files} files by {@code --threads} threads with a plain {@link FileChannel} and one
 * direct buffer of {@code --chunk} random bytes per thread, and, with {@code --fsync true}, forces
 * each file and then the directory, as Cairn's {@code file://} commit does. The time covers
 * opening, writing, forcing and closing: nothing a writer could leave out.
 */
public final class FileChannelRun {
    private FileChannelRun() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        long bytes = args.getLong("bytes", 1L << 30);
        int files = args.getInt("files", 8);
        int threads = args.getInt("threads", 2);
        int chunk = args.getInt("chunk", 1 << 20);
        boolean fsync = args.getBoolean("fsync", true);
        Path dir = Files.createDirectories(Path.of(args.require("dir")));
        byte[] random = new byte[chunk];
        new Random(7).nextBytes(random);

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long t0 = System.nanoTime();
        List<Future<Long>> done = new ArrayList<>();
        for (int f = 0; f < files; f++) {
            long share = bytes / files + (f < bytes % files ? 1 : 0);
            Path file = dir.resolve(String.format("file-%05d", f));
            done.add(pool.submit(() -> write(file, share, random, fsync)));
        }
        long written = 0;
        for (Future<Long> d : done) {
            written += d.get();
        }
        if (fsync) {
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        }
        long t1 = System.nanoTime();
        pool.shutdown();
        new Result()
                .put("writeMs", Result.millis(t1 - t0))
                .put("bytes", written)
                .put("mbPerS", Math.round(written / 1e6 / ((t1 - t0) / 1e9) * 10) / 10.0)
                .put("peakRss", ChildStats.peakRss())
                .print();
    }

    private static final ThreadLocal<ByteBuffer> BUFFERS = new ThreadLocal<>();

    private static long write(Path file, long bytes, byte[] content, boolean fsync) throws Exception {
        ByteBuffer buf = BUFFERS.get();
        if (buf == null) {
            buf = ByteBuffer.allocateDirect(content.length);
            buf.put(content);
            BUFFERS.set(buf);
        }
        long left = bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (left > 0) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), left));
                while (buf.hasRemaining()) {
                    left -= ch.write(buf);
                }
            }
            if (fsync) {
                ch.force(true);
            }
        }
        return bytes;
    }
}
