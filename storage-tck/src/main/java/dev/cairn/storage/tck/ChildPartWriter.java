package dev.cairn.storage.tck;

import dev.cairn.checkpoint.CheckpointSpec;
import dev.cairn.checkpoint.PartReceipt;
import dev.cairn.checkpoint.PartWriter;
import dev.cairn.storage.StorageRegistry;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A separate process that writes one part of a checkpoint from a serialized
 * {@link CheckpointSpec}, as a worker of another engine would, and leaves its serialized
 * {@link PartReceipt} in a file for the parent to commit. It finds its storage the way any
 * process does: through {@link java.util.ServiceLoader}, configured by the spec's options.
 *
 * <p>Arguments: {@code specFile partition firstValue count receiptFile}; the records are the
 * longs {@code firstValue .. firstValue + count - 1}.
 */
public final class ChildPartWriter {
    private ChildPartWriter() {
    }

    /** Runs the child. */
    public static void main(String[] args) throws Exception {
        CheckpointSpec spec;
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(args[0])))) {
            spec = (CheckpointSpec) in.readObject();
        }
        int partition = Integer.parseInt(args[1]);
        long first = Long.parseLong(args[2]);
        int count = Integer.parseInt(args[3]);
        PartReceipt receipt;
        try (StorageRegistry storage = StorageRegistry.create(spec.options(), List.of(), ChildPartWriter.class.getClassLoader());
             PartWriter part = PartWriter.open(storage, spec, partition)) {
            for (long v = first; v < first + count; v++) {
                part.write(v);
            }
            receipt = part.commit();
        }
        try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(Path.of(args[4])))) {
            out.writeObject(receipt);
        }
    }

    /** Starts a child JVM on this JVM's class path; its output goes to its input stream. */
    static Process start(Path specFile, int partition, long first, int count, Path receiptFile) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ChildPartWriter.class.getName());
        command.add(specFile.toString());
        command.add(Integer.toString(partition));
        command.add(Long.toString(first));
        command.add(Integer.toString(count));
        command.add(receiptFile.toString());
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
