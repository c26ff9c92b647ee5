package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnException;
import dev.cairn.checkpoint.CheckpointSpec;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Which option keys are secret, and that the options' and a spec's {@code toString} and messages hide their values. */
class CairnOptionsSecretsTest {
    /** Cairn's secret options and, under cairn.hadoop., the keys Hadoop's own redactor treats as sensitive. */
    static final List<String> SECRET = List.of(
            "cairn.s3.secret-key",
            "cairn.s3.session-token",
            "cairn.hadoop.fs.s3a.secret.key",
            "cairn.hadoop.fs.s3a.session.token",
            "cairn.hadoop.fs.s3a.bucket.logs.secret.key",
            "cairn.hadoop.fs.s3a.encryption.key",
            "cairn.hadoop.fs.s3a.server-side-encryption.key",
            "cairn.hadoop.fs.azure.account.key.myaccount.dfs.core.windows.net",
            "cairn.hadoop.fs.azure.account.oauth2.client.secret",
            "cairn.hadoop.fs.azure.sas.fixed.token",
            "cairn.hadoop.fs.azure.sas.mycontainer.myaccount.blob.core.windows.net",
            "cairn.hadoop.fs.gs.auth.service.account.private.key",
            "cairn.hadoop.fs.adl.oauth2.credential",
            "cairn.hadoop.ssl.client.truststore.password",
            "cairn.hadoop.ssl.server.keystore.keypassword",
            "cairn.hadoop.fs.cosn.userinfo.secretKey",
            "cairn.hadoop.dfs.webhdfs.oauth2.refresh.token");

    /** Identifiers and settings that must stay readable in messages. */
    static final List<String> NOT_SECRET = List.of(
            "cairn.s3.access-key",
            "cairn.s3.endpoint",
            "cairn.s3.region",
            "cairn.s3.profile",
            "cairn.checkpoint.listing.timeout",
            "cairn.serializer",
            "cairn.hadoop.fs.s3a.access.key",
            "cairn.hadoop.fs.s3a.bucket.logs.access.key",
            "cairn.hadoop.fs.s3a.endpoint",
            "cairn.hadoop.dfs.replication");

    @Test
    void secretKeysAreRecognisedAndIdentifiersAreNot() {
        for (String k : SECRET) {
            assertTrue(CairnOptions.isSecret(k), k);
            assertTrue(CairnOptions.isSecret(k.toUpperCase(java.util.Locale.ROOT)), "case ignored: " + k);
        }
        for (String k : NOT_SECRET) {
            assertFalse(CairnOptions.isSecret(k), k);
        }
    }

    @Test
    void toStringRedactedAndASpecShowNoSecretValue() {
        Map<String, String> values = new TreeMap<>();
        for (String k : SECRET) {
            values.put(k, "canary-" + k.hashCode());
        }
        values.put("cairn.s3.access-key", "AKIA-visible");
        CairnOptions options = CairnOptions.of(values);
        CheckpointSpec spec = CheckpointSpec.builder(URI.create("file:///tmp/ckpt")).options(options).build();
        for (String shown : List.of(options.toString(), options.redacted().toString(), spec.toString())) {
            for (String k : SECRET) {
                assertFalse(shown.contains(values.get(k)), k + " shown in " + shown);
                assertTrue(shown.contains(k + "=****"), k + " masked in " + shown);
            }
            assertTrue(shown.contains("cairn.s3.access-key=AKIA-visible"), shown);
        }
        assertEquals(values.get("cairn.s3.secret-key"), options.get("cairn.s3.secret-key").orElseThrow(), "the value itself is intact");
    }

    @Test
    void aSecretThatFailsToParseIsNotEchoed() {
        CairnOptions options = CairnOptions.of(Map.of("cairn.hadoop.fs.azure.account.key.a.dfs.core.windows.net", "canary-value"));
        CairnException e = assertThrows(CairnException.class,
                () -> options.getDuration("cairn.hadoop.fs.azure.account.key.a.dfs.core.windows.net", null));
        assertFalse(e.getMessage().contains("canary-value"), e.getMessage());
        assertTrue(e.getMessage().contains("'****'"), e.getMessage());
    }
}
