package dev.cairn;

import java.io.ByteArrayOutputStream;
import java.net.URI;

/** The child of {@link SparkClasspathTest}: Kryo 4 and Cairn's checkpoints in one JVM. */
public final class SparkClasspathMain {
    private SparkClasspathMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("jackson-core " + com.fasterxml.jackson.core.json.PackageVersion.VERSION);
        // Kryo 4 as Spark uses it, by reflection: core is not compiled against it, only run beside it.
        Class<?> kryoClass = Class.forName("com.esotericsoftware.kryo.Kryo");
        Class<?> outputClass = Class.forName("com.esotericsoftware.kryo.io.Output");
        Object kryo4 = kryoClass.getConstructor().newInstance();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Object out = outputClass.getConstructor(java.io.OutputStream.class).newInstance(bytes);
        kryoClass.getMethod("writeClassAndObject", outputClass, Object.class).invoke(kryo4, out, "spark's kryo");
        outputClass.getMethod("close").invoke(out);
        System.out.println("kryo 4 (" + kryoClass.getProtectionDomain().getCodeSource().getLocation() + ") wrote " + bytes.size() + " bytes");
        try (CairnContext ctx = CairnContext.builder().parallelism(2).checkpointDir(URI.create("memory://spark35/ckpt")).build()) {
            Dataset<Long> ds = ctx.range(0, 1000, 4).map(x -> x);
            ds.checkpoint(CheckpointMode.EAGER);
            Dataset<Long> back = ctx.readCheckpoint(ds.checkpointLocation().orElseThrow());
            System.out.println("round trip: " + back.count() + " records, sum " + back.reduce(Long::sum));
        }
    }
}
