package dev.cairn.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The command line on {@code hdfs://} against one mini cluster for the class. */
class HdfsCliIT extends CliContract {
    private static MiniHdfs hdfs;

    @BeforeAll
    static void startCluster() throws Exception {
        hdfs = MiniHdfs.start("cli");
    }

    @AfterAll
    static void stopCluster() {
        hdfs.close();
    }

    @Override
    URI root() {
        return URI.create(hdfs.uri() + "/cli");
    }

    @Override
    Map<String, String> options() {
        return Map.of();
    }

    @Override
    byte[] read(URI file) throws Exception {
        try (InputStream in = hdfs.fs().open(new Path(file))) {
            return in.readAllBytes();
        }
    }

    @Override
    void write(URI file, byte[] data) throws Exception {
        try (OutputStream out = hdfs.fs().create(new Path(file), true)) {
            out.write(data);
        }
    }

    @Override
    void delete(URI file) throws Exception {
        hdfs.fs().delete(new Path(file), false);
    }

    @Override
    boolean exists(URI file) throws Exception {
        return hdfs.fs().exists(new Path(file));
    }
}
