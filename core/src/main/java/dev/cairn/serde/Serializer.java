package dev.cairn.serde;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * Turns records into bytes and back, as a stream: partitions are written and read one record
 * at a time and never held whole in memory.
 *
 * <p>A {@code Serializer} is a thread-safe factory; the {@link RecordOutput} and
 * {@link RecordInput} it makes belong to one thread each. The {@link #name()} is written into
 * checkpoint manifests, so a reader can pick the same format.
 */
public interface Serializer {

    /** The stable name recorded in manifests: {@code kryo} or {@code java} for the built-ins. */
    String name();

    /**
     * A record writer over {@code out}. Closing the writer flushes it and closes {@code out}.
     * The writer may buffer; bytes reach {@code out} on {@link RecordOutput#flush()} or close.
     */
    RecordOutput newOutput(OutputStream out);

    /**
     * A record reader over {@code in}, which must hold exactly what one {@link RecordOutput}
     * wrote. Closing the reader closes {@code in}.
     */
    RecordInput newInput(InputStream in);
}
