package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.CairnContext;
import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageProvider;
import dev.cairn.storage.StorageRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Discovery, option keys and option validation; no server needed. */
class S3StorageProviderTest {

    @Test
    void theProviderIsFoundThroughServiceLoaderForTheS3Scheme() {
        StorageProvider p = StorageRegistry.discover(getClass().getClassLoader()).stream()
                .filter(x -> x.schemes().contains("s3")).findFirst().orElseThrow();
        assertInstanceOf(S3StorageProvider.class, p);
        try (CairnContext ctx = CairnContext.builder().checkpointDir("s3://bucket/ckpt")
                .option(S3StorageSettings.REGION, "eu-west-1").build()) {
            assertEquals(URI.create("s3://bucket/ckpt"), ctx.resolveLocation("s3://bucket/ckpt/"), "the context serves s3://");
            Storage s = p.open("s3", ctx.options());
            assertInstanceOf(S3Storage.class, s);
            assertEquals(ListingConsistency.EVENTUAL, s.listing(), "eventual unless told otherwise");
        }
    }

    @Test
    void everyKeyIsDeclaredIncludingTheFixedOnes() {
        Set<String> keys = new S3StorageProvider().optionKeys();
        for (String fixed : Set.of("cairn.s3.endpoint", "cairn.s3.region", "cairn.s3.path-style-access", "cairn.s3.access-key",
                "cairn.s3.secret-key", "cairn.s3.listing.consistency")) {
            assertTrue(keys.contains(fixed), fixed);
        }
        assertTrue(keys.stream().allMatch(k -> k.startsWith("cairn.s3.")), keys.toString());
        // every declared key is accepted by a context (with a value that parses: contexts check options at build())
        Map<String, String> valid = new java.util.HashMap<>();
        keys.forEach(k -> valid.put(k, "true"));
        valid.putAll(Map.ofEntries(Map.entry("cairn.s3.endpoint", "http://127.0.0.1:9000"), Map.entry("cairn.s3.region", "us-east-1"),
                Map.entry("cairn.s3.access-key", "AK"), Map.entry("cairn.s3.secret-key", "SK"), Map.entry("cairn.s3.session-token", "T"),
                Map.entry("cairn.s3.listing.consistency", "strong"), Map.entry("cairn.s3.upload.part-size", "8MiB"),
                Map.entry("cairn.s3.upload.concurrency", "2"), Map.entry("cairn.s3.max-connections", "8"),
                Map.entry("cairn.s3.connection-timeout", "1s"), Map.entry("cairn.s3.socket-timeout", "1s"),
                Map.entry("cairn.s3.api-call-timeout", "1m"), Map.entry("cairn.s3.retry.max-attempts", "2"),
                Map.entry("cairn.s3.checksum", "md5"), Map.entry("cairn.s3.list.page-size", "10"),
                Map.entry("cairn.s3.chunked-encoding", "auto"), Map.entry("cairn.s3.sdk-checksums", "when-required")));
        valid.remove("cairn.s3.profile"); // not together with static keys
        valid.remove("cairn.s3.ca-bundle"); // needs a file
        assertEquals(keys.size() - 2, valid.size());
        new S3StorageProvider().checkOptions(CairnOptions.of(valid));
        CairnContext.builder().options(valid).build().close();
    }

    @Test
    void aMistypedKeyFailsTheContextBuildNamingTheRightOne() {
        CairnException e = assertThrows(CairnException.class,
                () -> CairnContext.builder().option("cairn.s3.endpont", "http://127.0.0.1:9000").build());
        assertTrue(e.getMessage().contains("'cairn.s3.endpoint'"), e.getMessage());
        CairnException e2 = assertThrows(CairnException.class,
                () -> CairnContext.builder().option("cairn.s3.upload.partsize", "8MiB").build());
        assertTrue(e2.getMessage().contains("'cairn.s3.upload.part-size'"), e2.getMessage());
    }

    @Test
    void optionsParseWithTheirDefaults() {
        S3StorageSettings d = S3StorageSettings.fromOptions(CairnOptions.empty());
        assertTrue(d.endpoint().isEmpty());
        assertFalse(d.pathStyleAccess());
        assertEquals(ListingConsistency.EVENTUAL, d.listingConsistency());
        assertEquals(8 << 20, d.partSize());
        assertEquals(4, d.uploadConcurrency());
        assertEquals(64, d.maxConnections());
        assertEquals(Duration.ofSeconds(10), d.connectionTimeout());
        assertEquals(Duration.ofSeconds(60), d.socketTimeout());
        assertEquals(6, d.maxAttempts());
        assertEquals(S3Checksum.AUTO, d.checksum());
        assertTrue(d.conditionalWrites());
        assertEquals(1000, d.listPageSize());

        S3StorageSettings s = S3StorageSettings.fromOptions(CairnOptions.of(Map.ofEntries(
                Map.entry("cairn.s3.endpoint", "http://127.0.0.1:9000"),
                Map.entry("cairn.s3.region", "eu-central-1"),
                Map.entry("cairn.s3.path-style-access", "true"),
                Map.entry("cairn.s3.access-key", "AK"),
                Map.entry("cairn.s3.secret-key", "SK-very-secret"),
                Map.entry("cairn.s3.listing.consistency", "STRONG"),
                Map.entry("cairn.s3.upload.part-size", "16MiB"),
                Map.entry("cairn.s3.upload.concurrency", "2"),
                Map.entry("cairn.s3.max-connections", "8"),
                Map.entry("cairn.s3.connection-timeout", "2s"),
                Map.entry("cairn.s3.socket-timeout", "500ms"),
                Map.entry("cairn.s3.retry.max-attempts", "1"),
                Map.entry("cairn.s3.checksum", "crc32c"),
                Map.entry("cairn.s3.conditional-writes", "false"),
                Map.entry("cairn.s3.list.page-size", "100"))));
        assertEquals(URI.create("http://127.0.0.1:9000"), s.endpoint().orElseThrow());
        assertEquals("eu-central-1", s.region().orElseThrow());
        assertTrue(s.pathStyleAccess());
        assertEquals(ListingConsistency.STRONG, s.listingConsistency());
        assertEquals(16 << 20, s.partSize());
        assertEquals(2, s.uploadConcurrency());
        assertEquals(8, s.maxConnections());
        assertEquals(Duration.ofMillis(500), s.socketTimeout());
        assertEquals(1, s.maxAttempts());
        assertEquals(S3Checksum.CRC32C, s.checksum());
        assertFalse(s.conditionalWrites());
        assertEquals(100, s.listPageSize());
        assertFalse(s.toString().contains("SK-very-secret"), "settings are logged: no secret in toString: " + s);
    }

    @Test
    void invalidValuesFailNamingTheKeyAndWhatWasExpected() {
        Map<String, String> bad = Map.of(
                "cairn.s3.upload.part-size", "1MiB",
                "cairn.s3.listing.consistency", "sometimes",
                "cairn.s3.checksum", "sha1",
                "cairn.s3.endpoint", "127.0.0.1:9000",
                "cairn.s3.upload.concurrency", "0",
                "cairn.s3.list.page-size", "5000",
                "cairn.s3.socket-timeout", "0s",
                "cairn.s3.path-style-access", "yes");
        bad.forEach((k, v) -> {
            CairnException e = assertThrows(CairnException.class, () -> S3StorageSettings.fromOptions(CairnOptions.of(Map.of(k, v))), k);
            assertTrue(e.getMessage().startsWith("Cannot read option " + k), e.getMessage());
            assertTrue(e.getMessage().contains("expected"), e.getMessage());
        });
    }

    @Test
    void credentialsMustBeCompleteAndUnambiguous() {
        CairnException half = assertThrows(CairnException.class,
                () -> S3StorageSettings.fromOptions(CairnOptions.of(Map.of("cairn.s3.access-key", "AK"))));
        assertTrue(half.getMessage().contains("cairn.s3.secret-key"), half.getMessage());
        CairnException both = assertThrows(CairnException.class, () -> S3StorageSettings.fromOptions(CairnOptions.of(
                Map.of("cairn.s3.access-key", "AK", "cairn.s3.secret-key", "SK", "cairn.s3.profile", "dev"))));
        assertTrue(both.getMessage().contains("cairn.s3.profile"), both.getMessage());
        CairnException token = assertThrows(CairnException.class,
                () -> S3StorageSettings.fromOptions(CairnOptions.of(Map.of("cairn.s3.session-token", "T"))));
        assertTrue(token.getMessage().contains("cairn.s3.session-token"), token.getMessage());
    }

    @Test
    void theProviderRefusesOtherSchemes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new S3StorageProvider().open("s3a", CairnOptions.empty()));
        assertTrue(e.getMessage().contains("cairn-storage-hdfs"), e.getMessage());
    }

    @Test
    void anEndpointWithoutASchemeFailsTheCheckWithACompleteMessage() {
        CairnException e = assertThrows(CairnException.class,
                () -> new S3StorageProvider().checkOptions(CairnOptions.of(Map.of("cairn.s3.endpoint", "127.0.0.1:4568"))));
        assertEquals("Cannot read option cairn.s3.endpoint: '127.0.0.1:4568' (expected an http:// or https:// URI such as"
                + " http://127.0.0.1:9000, found no scheme; write http://127.0.0.1:4568 or https://127.0.0.1:4568)", e.getMessage());
        for (String bad : new String[] {"minio:9000", "ftp://host:21", "http://", "http://user:pw@host:9000"}) {
            CairnException b = assertThrows(CairnException.class,
                    () -> S3StorageSettings.validate(CairnOptions.of(Map.of("cairn.s3.endpoint", bad))), bad);
            assertFalse(b.getMessage().contains(": ("), "no empty slot: " + b.getMessage());
            assertFalse(b.getMessage().contains("pw@"), "no credentials in messages: " + b.getMessage());
        }
    }

    @Test
    void aPasswordWrittenIntoTheEndpointShowsInNoMessage() {
        for (String bad : new String[] {"user:pw-canary@host:9000", "ftp://user:pw-canary@host:21", "http://user:pw-canary@host:9000/a b",
                "http://user:pw/canary@host:9000", "http://user:pw-canary@host:9000", "https://user:pw-canary@"}) {
            CairnException e = assertThrows(CairnException.class,
                    () -> S3StorageSettings.validate(CairnOptions.of(Map.of("cairn.s3.endpoint", bad))), bad);
            assertFalse(e.getMessage().contains("canary"), "no credentials in messages: " + e.getMessage());
            assertTrue(e.getMessage().startsWith("Cannot read option cairn.s3.endpoint: '"), e.getMessage());
            assertTrue(e.getMessage().contains("****@host") || bad.endsWith("@"), e.getMessage());
        }
        CairnException noScheme = assertThrows(CairnException.class,
                () -> S3StorageSettings.validate(CairnOptions.of(Map.of("cairn.s3.endpoint", "user:pw-canary@127.0.0.1:9000"))));
        assertEquals("Cannot read option cairn.s3.endpoint: '****@127.0.0.1:9000' (expected an http:// or https:// URI such as"
                + " http://127.0.0.1:9000, found no scheme; write http://127.0.0.1:9000 or https://127.0.0.1:9000; credentials go in"
                + " cairn.s3.access-key and cairn.s3.secret-key, not in the URI)", noScheme.getMessage());
    }

    @Test
    void halfACredentialFailsTheCheckNamingWhatIsMissing() {
        CairnException e = assertThrows(CairnException.class,
                () -> new S3StorageProvider().checkOptions(CairnOptions.of(Map.of("cairn.s3.access-key", "AKIA1"))));
        assertEquals("Cannot configure S3 credentials: options cairn.s3.access-key and cairn.s3.secret-key (expected both or"
                + " neither, found only cairn.s3.access-key 'AKIA1'; set cairn.s3.secret-key too, or leave both out to use the SDK's"
                + " default credentials chain)", e.getMessage());
        CairnException secretOnly = assertThrows(CairnException.class,
                () -> S3StorageSettings.validate(CairnOptions.of(Map.of("cairn.s3.secret-key", "very-secret"))));
        assertFalse(secretOnly.getMessage().contains("very-secret"), secretOnly.getMessage());
        CairnException empty = assertThrows(CairnException.class,
                () -> S3StorageSettings.validate(CairnOptions.of(Map.of("cairn.s3.access-key", "AK", "cairn.s3.secret-key", " "))));
        assertTrue(empty.getMessage().contains("found an empty cairn.s3.secret-key"), empty.getMessage());
        CairnException bundle = assertThrows(CairnException.class,
                () -> S3StorageSettings.validate(CairnOptions.of(Map.of("cairn.s3.ca-bundle", "/no/such/ca.pem"))));
        assertTrue(bundle.getMessage().startsWith("Cannot read option cairn.s3.ca-bundle: '/no/such/ca.pem'"), bundle.getMessage());
    }

    @Test
    void chunkedEncodingIsOffForCustomEndpointsUnlessChosenAndSdkChecksumsAreWhenRequired() {
        assertTrue(S3StorageSettings.fromOptions(CairnOptions.empty()).chunkedEncoding(), "AWS decodes aws-chunked");
        S3StorageSettings custom = S3StorageSettings.fromOptions(CairnOptions.of(Map.of("cairn.s3.endpoint", "http://10.0.0.1:9000")));
        assertFalse(custom.chunkedEncoding(), "plain bodies for every other store");
        assertEquals(S3StorageSettings.SdkChecksums.WHEN_REQUIRED, custom.sdkChecksums());
        assertEquals(Duration.ofMinutes(2), custom.apiCallTimeout());
        assertTrue(S3StorageSettings.fromOptions(CairnOptions.of(Map.of("cairn.s3.endpoint", "http://10.0.0.1:9000",
                "cairn.s3.chunked-encoding", "true"))).chunkedEncoding());
        assertFalse(S3StorageSettings.fromOptions(CairnOptions.of(Map.of("cairn.s3.chunked-encoding", "false"))).chunkedEncoding());
        assertThrows(CairnException.class, () -> S3StorageSettings.fromOptions(CairnOptions.of(Map.of("cairn.s3.chunked-encoding", "yes"))));
        assertThrows(CairnException.class, () -> S3StorageSettings.fromOptions(CairnOptions.of(Map.of("cairn.s3.sdk-checksums", "always"))));
    }
}
