package dev.cairn.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1, made once per build with the JDK's {@code keytool} (no
 * key material is checked in): a PKCS12 key store for servers in this JVM (S3Proxy's Jetty), the
 * same key and certificate as PEM files for servers in other processes (s3rver), and the
 * certificate as the CA bundle the client trusts ({@code cairn.s3.ca-bundle}). The files live in
 * {@code target/test-tls} of the working directory (the module under test).
 */
public final class TestTls {
    /** The password of the key store and of the key in it. */
    public static final String PASSWORD = "cairn-test";
    private static final String ALIAS = "server";
    private static TestTls instance;

    private final Path keyStore;
    private final Path certificatePem;
    private final Path privateKeyPem;

    private TestTls(Path dir) {
        this.keyStore = dir.resolve("server.p12");
        this.certificatePem = dir.resolve("server-cert.pem");
        this.privateKeyPem = dir.resolve("server-key.pem");
    }

    /** The build's certificate, made on first use. */
    public static synchronized TestTls get() throws Exception {
        if (instance == null) {
            TestTls tls = new TestTls(Files.createDirectories(Path.of("target", "test-tls")).toAbsolutePath());
            if (!Files.exists(tls.privateKeyPem)) {
                tls.generate();
            }
            instance = tls;
        }
        return instance;
    }

    private void generate() throws Exception {
        Files.deleteIfExists(keyStore);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "3650", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        run(keytool, "-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                "-file", certificatePem.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Key key = ks.getKey(ALIAS, PASSWORD.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path tmp = privateKeyPem.resolveSibling("server-key.pem.tmp");
        Files.write(tmp, pem.getBytes(US_ASCII));
        Files.move(tmp, privateKeyPem, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + new String(out, US_ASCII));
        }
    }

    /** PKCS12 key store holding the server's key and certificate, password {@link #PASSWORD}. */
    public Path keyStore() {
        return keyStore;
    }

    /** The certificate, PEM: what clients trust. */
    public Path certificatePem() {
        return certificatePem;
    }

    /** The private key, PKCS#8 PEM. */
    public Path privateKeyPem() {
        return privateKeyPem;
    }
}
