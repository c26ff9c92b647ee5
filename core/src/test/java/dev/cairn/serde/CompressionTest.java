package dev.cairn.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompressionTest {

    @Test
    void idsAreStableAndParseIgnoringCaseAndBlanks() {
        assertEquals("none", Compression.NONE.id());
        assertEquals("lz4", Compression.LZ4.id());
        assertEquals("zstd", Compression.ZSTD.id());
        for (Compression c : Compression.values()) {
            assertSame(c, Compression.fromId(c.id()));
        }
        assertSame(Compression.LZ4, Compression.fromId(" LZ4 "));
    }

    @Test
    void unknownIdListsTheValidOnes() {
        CairnException e = assertThrows(CairnException.class, () -> Compression.fromId("snappy"));

        assertTrue(e.getMessage().contains("found 'snappy'"), e.getMessage());
        assertTrue(e.getMessage().contains("none, lz4, zstd"), e.getMessage());
        assertThrows(CairnException.class, () -> Compression.fromId(null));
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void bytesRoundTripAndClosingTheWrapperClosesTheStream(Compression c) throws IOException {
        // Repetitive text, the kind of content record streams have: LZ4 has no entropy coder, so
        // it only gains on repeats.
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 200_000; i++) {
            text.append("record-").append(i % 500).append(";value=").append(i % 7).append('\n');
        }
        byte[] data = text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        RoundTripTest.TrackingOutputStream target = new RoundTripTest.TrackingOutputStream();

        try (OutputStream out = c.wrap(target)) {
            out.write(data);
        }
        RoundTripTest.TrackingInputStream source = new RoundTripTest.TrackingInputStream(target.toByteArray());
        byte[] back;
        try (InputStream in = c.wrap(source)) {
            back = in.readAllBytes();
        }

        assertArrayEquals(data, back);
        assertTrue(target.closed, "output wrapper closed its stream");
        assertTrue(source.closed, "input wrapper closed its stream");
        assertTrue(c.isAvailable());
        if (c != Compression.NONE) {
            assertTrue(target.size() < data.length / 2, c + " compressed to " + target.size());
        }
    }

    /**
     * What the codecs detect on their own. Both notice a cut inside their data, but zstd reads zero
     * bytes as a valid empty stream; that, and cuts between records without compression, is why the
     * serializers end every stream with their own end marker.
     */
    @Test
    void codecsDetectTruncationExceptOfEverythingForZstd() throws IOException {
        byte[] data = new byte[100_000];
        new Random(5).nextBytes(data);
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            ByteArrayOutputStream compressed = new ByteArrayOutputStream();
            try (OutputStream out = c.wrap(compressed)) {
                out.write(data);
            }
            byte[] half = Arrays.copyOf(compressed.toByteArray(), compressed.size() / 2);
            assertThrows(IOException.class, () -> c.wrap(new ByteArrayInputStream(half)).readAllBytes(), c.id());
        }
        assertThrows(IOException.class, () -> Compression.LZ4.wrap(new ByteArrayInputStream(new byte[0])).readAllBytes());
        assertEquals(0, Compression.ZSTD.wrap(new ByteArrayInputStream(new byte[0])).readAllBytes().length);
    }

    /** Loads this package without the optional codec libraries, as a user's class path would be. */
    @Test
    void missingCodecLibraryNamesTheMavenArtifactAndClosesTheStream() throws Exception {
        URL coreClasses = Compression.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader withoutCodecs = new URLClassLoader(new URL[] {coreClasses},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> isolated = withoutCodecs.loadClass(Compression.class.getName());
            assertFalse(isolated == Compression.class);

            for (String[] codec : new String[][] {{"LZ4", "org.lz4:lz4-java"}, {"ZSTD", "com.github.luben:zstd-jni"}}) {
                Object compression = isolated.getMethod("valueOf", String.class).invoke(null, codec[0]);
                assertEquals(false, isolated.getMethod("isAvailable").invoke(compression), codec[0]);
                RoundTripTest.TrackingOutputStream target = new RoundTripTest.TrackingOutputStream();

                InvocationTargetException e = assertThrows(InvocationTargetException.class,
                        () -> isolated.getMethod("wrap", OutputStream.class).invoke(compression, target));

                Throwable cause = e.getCause();
                assertEquals(CairnException.class.getName(), cause.getClass().getName());
                assertTrue(cause.getMessage().contains(codec[1]), cause.getMessage());
                assertTrue(target.closed, "the stream handed over was closed");
            }
            Object none = isolated.getMethod("valueOf", String.class).invoke(null, "NONE");
            OutputStream plain = new ByteArrayOutputStream();
            assertSame(plain, isolated.getMethod("wrap", OutputStream.class).invoke(none, plain),
                    "NONE works without any codec library");
        }
    }
}
