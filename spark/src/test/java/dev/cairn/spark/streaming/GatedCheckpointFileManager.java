package dev.cairn.spark.streaming;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.PathFilter;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager;

/**
 * {@link CairnCheckpointFileManager} with a gate in front of one publish, so that a test can
 * hold two drivers at the very moment each is about to publish the same checkpoint file, and
 * let them go one after the other: the race of two queries on one checkpoint location, made
 * deterministic. Spark instantiates it like the real one (same constructor); everything else is
 * the real manager's.
 *
 * <p>Settings (Spark or Hadoop configuration): {@code spark.cairntest.gate.dir} (a local
 * directory both drivers see), {@code spark.cairntest.gate.role} (this driver's name),
 * {@code spark.cairntest.gate.file} (the path suffix to hold, e.g. {@code /offsets/3}). At the
 * no-overwrite publish of that file, {@code close()} creates {@code <role>-ready} and the bytes
 * written as {@code <role>-bytes}, waits for {@code <role>-go}, publishes, and creates
 * {@code <role>-published}, or {@code <role>-refused} holding the exception.
 */
public final class GatedCheckpointFileManager implements CheckpointFileManager {
    private final CairnCheckpointFileManager manager;
    private final Path gateDir;
    private final String role;
    private final String gatedSuffix;

    /** As Spark calls it. */
    public GatedCheckpointFileManager(org.apache.hadoop.fs.Path path, Configuration conf) {
        this.manager = new CairnCheckpointFileManager(path, conf);
        String dir = conf.get("spark.cairntest.gate.dir");
        this.gateDir = dir == null ? null : Path.of(dir);
        this.role = conf.get("spark.cairntest.gate.role", "");
        this.gatedSuffix = conf.get("spark.cairntest.gate.file", "");
    }

    @Override
    public CancellableFSDataOutputStream createAtomic(org.apache.hadoop.fs.Path path, boolean overwriteIfPossible) {
        CancellableFSDataOutputStream out = manager.createAtomic(path, overwriteIfPossible);
        if (gateDir == null || overwriteIfPossible || gatedSuffix.isEmpty() || !path.toString().endsWith(gatedSuffix)) {
            return out;
        }
        return new Gated(out);
    }

    private final class Gated extends CancellableFSDataOutputStream {
        private final CancellableFSDataOutputStream inner;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

        Gated(CancellableFSDataOutputStream inner) {
            super(inner);
            this.inner = inner;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            copy.write(b);
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            copy.write(b, off, len);
            super.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            Files.write(gateDir.resolve(role + "-bytes"), copy.toByteArray());
            Files.createFile(gateDir.resolve(role + "-ready"));
            Path go = gateDir.resolve(role + "-go");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!Files.exists(go)) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("gate " + go + " never opened");
                }
                try {
                    Thread.sleep(10); // a file written by another process: nothing to be notified by
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted at gate " + go, e);
                }
            }
            try {
                inner.close();
            } catch (IOException | RuntimeException e) {
                Files.writeString(gateDir.resolve(role + "-refused"), e.toString(), StandardCharsets.UTF_8);
                throw e;
            }
            Files.createFile(gateDir.resolve(role + "-published"));
        }

        @Override
        public void cancel() {
            inner.cancel();
        }
    }

    @Override
    public FSDataInputStream open(org.apache.hadoop.fs.Path path) {
        return manager.open(path);
    }

    @Override
    public FileStatus[] list(org.apache.hadoop.fs.Path path, PathFilter filter) {
        return manager.list(path, filter);
    }

    @Override
    public void mkdirs(org.apache.hadoop.fs.Path path) {
        manager.mkdirs(path);
    }

    @Override
    public boolean exists(org.apache.hadoop.fs.Path path) {
        return manager.exists(path);
    }

    @Override
    public void delete(org.apache.hadoop.fs.Path path) {
        manager.delete(path);
    }

    @Override
    public boolean isLocal() {
        return manager.isLocal();
    }

    @Override
    public org.apache.hadoop.fs.Path createCheckpointDirectory() {
        return manager.createCheckpointDirectory();
    }
}
