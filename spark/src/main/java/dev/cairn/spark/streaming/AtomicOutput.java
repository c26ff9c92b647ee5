package dev.cairn.spark.streaming;

import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.function.Consumer;
import org.apache.spark.sql.execution.streaming.CheckpointFileManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link CairnCheckpointFileManager#createAtomic} returns: the bytes go straight to a Cairn
 * {@link StorageOutput}, which keeps them private until it is committed (a temporary file on a
 * file system, a buffer or an unfinished multipart upload on S3). No rename is involved.
 *
 * <ul>
 *   <li>{@link #close()} commits: the file appears whole under its name, or not at all. Every
 *       failure of the upload or the publish is thrown from here (a part upload that failed in
 *       the background included), so Spark never takes an unwritten file for a written one. A
 *       refused no-overwrite publish is Hadoop's {@code FileAlreadyExistsException}, which Spark
 *       reports as several queries using one checkpoint location.</li>
 *   <li>{@link #cancel()} discards: nothing becomes visible and a multipart upload is aborted.
 *       A clean-up that fails is logged, not thrown: {@code cancel} runs on paths that are
 *       already failing, and nothing was published either way.</li>
 *   <li>Whichever comes first wins; later calls of either do nothing. A failed write has
 *       discarded the output already; a {@code close()} after it fails instead of publishing.</li>
 * </ul>
 *
 * <p>When the store refused the file before a byte was written (a file system that checks for
 * an existing file when the output is created), the refusal is kept and thrown by
 * {@code close()}: Spark expects it there, and only there does it turn it into its
 * "concurrent queries" error. The bytes written meanwhile go nowhere.
 *
 * <p>{@code close} and {@code cancel} are synchronized, as Spark's own outputs are; writes belong
 * to one thread.
 */
final class AtomicOutput extends CheckpointFileManager.CancellableFSDataOutputStream {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicOutput.class);

    private final URI file;
    private final StorageOutput output;
    private final IOException refusal;
    private final Consumer<URI> onPublished;
    private boolean done;

    private AtomicOutput(URI file, OutputStream sink, StorageOutput output, IOException refusal, Consumer<URI> onPublished) {
        super(sink);
        this.file = file;
        this.output = output;
        this.refusal = refusal;
        this.onPublished = onPublished;
    }

    /** Writes into {@code output}; {@code onPublished} hears of the commit. */
    static AtomicOutput writing(URI file, StorageOutput output, Consumer<URI> onPublished) {
        return new AtomicOutput(file, output, output, null, onPublished);
    }

    /** An output the store refused up front: writes go nowhere, {@code close()} throws {@code refusal}. */
    static AtomicOutput refused(URI file, IOException refusal) {
        return new AtomicOutput(file, OutputStream.nullOutputStream(), null, refusal, f -> {
        });
    }

    /** Publishes the file, whole, or throws. */
    @Override
    public synchronized void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        if (refusal != null) {
            throw refusal;
        }
        try {
            output.commit();
        } catch (IOException e) {
            throw HadoopErrors.forSpark(e, "publish", file);
        }
        onPublished.accept(file);
    }

    /** Discards everything written; the file never appears. */
    @Override
    public synchronized void cancel() {
        if (done) {
            return;
        }
        done = true;
        if (output == null) {
            return;
        }
        try {
            output.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot discard checkpoint file: {} (expected its temporary file or upload removed, found {}; nothing was"
                    + " published, but a temporary file or an incomplete upload may remain)", file, e.toString());
        }
    }

    @Override
    public String toString() {
        return "AtomicOutput[" + file + (done ? ", done" : "") + "]";
    }
}
