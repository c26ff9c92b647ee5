package dev.cairn.storage.s3;

import dev.cairn.CairnException;
import dev.cairn.config.CairnOptions;
import dev.cairn.storage.ListingConsistency;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How an {@link S3Storage} talks to its store: immutable, built with {@link #builder()} or read
 * from a context's options with {@link #fromOptions(CairnOptions)}. Setters validate their value
 * at once; {@link Builder#build()} checks the fields against each other.
 *
 * <table>
 *   <caption>Options (all optional)</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #ENDPOINT}</td><td>AWS</td><td>endpoint URI of an S3-compatible store (MinIO, Ceph RGW, S3Proxy)</td></tr>
 *   <tr><td>{@value #REGION}</td><td>SDK region chain, else {@code us-east-1}</td><td>signing region</td></tr>
 *   <tr><td>{@value #PATH_STYLE_ACCESS}</td><td>{@code false}</td><td>{@code http://host/bucket/key} instead of {@code http://bucket.host/key}</td></tr>
 *   <tr><td>{@value #ACCESS_KEY}, {@value #SECRET_KEY}</td><td>SDK credentials chain</td><td>static credentials (both or neither)</td></tr>
 *   <tr><td>{@value #SESSION_TOKEN}</td><td>none</td><td>session token for temporary static credentials</td></tr>
 *   <tr><td>{@value #PROFILE}</td><td>none</td><td>named profile of {@code ~/.aws/credentials} and {@code ~/.aws/config}</td></tr>
 *   <tr><td>{@value #LISTING_CONSISTENCY}</td><td>{@code eventual}</td><td>{@code eventual}: readers poll listings; {@code strong}: one listing decides</td></tr>
 *   <tr><td>{@value #PART_SIZE}</td><td>{@code 8MiB}</td><td>multipart part size, 5 MiB to 5 GiB; smaller files are one PUT</td></tr>
 *   <tr><td>{@value #UPLOAD_CONCURRENCY}</td><td>{@code 4}</td><td>part buffers per writer, including the one being filled</td></tr>
 *   <tr><td>{@value #MAX_CONNECTIONS}</td><td>{@code 64}</td><td>HTTP connection pool size</td></tr>
 *   <tr><td>{@value #CONNECTION_TIMEOUT}</td><td>{@code 10s}</td><td>TCP connect timeout</td></tr>
 *   <tr><td>{@value #SOCKET_TIMEOUT}</td><td>{@code 60s}</td><td>longest wait for bytes on an open connection</td></tr>
 *   <tr><td>{@value #MAX_ATTEMPTS}</td><td>{@code 6}</td><td>attempts per request, first one included</td></tr>
 *   <tr><td>{@value #CHECKSUM}</td><td>{@code auto}</td><td>see {@link S3Checksum}</td></tr>
 *   <tr><td>{@value #CONDITIONAL_WRITES}</td><td>{@code true}</td><td>send {@code If-None-Match: *} on no-overwrite commits</td></tr>
 *   <tr><td>{@value #LIST_PAGE_SIZE}</td><td>{@code 1000}</td><td>keys per ListObjectsV2 page</td></tr>
 *   <tr><td>{@value #API_CALL_TIMEOUT}</td><td>{@code 2m}</td><td>deadline of one operation, all retries included</td></tr>
 *   <tr><td>{@value #CHUNKED_ENCODING}</td><td>{@code auto}</td><td>{@code aws-chunked} uploads: AWS only, unless {@code true} or {@code false}</td></tr>
 *   <tr><td>{@value #SDK_CHECKSUMS}</td><td>{@code when-required}</td><td>the SDK's own checksums, see {@link SdkChecksums}</td></tr>
 *   <tr><td>{@value #CHECK_STORED_SIZE}</td><td>{@code true}</td><td>HEAD after each commit: stored size must equal bytes sent</td></tr>
 *   <tr><td>{@value #PROBE}</td><td>{@code true}</td><td>probe the store's capabilities on the first write</td></tr>
 *   <tr><td>{@value #CA_BUNDLE}</td><td>JVM trust store</td><td>PEM file of CA certificates for {@code https} endpoints</td></tr>
 * </table>
 *
 * <p>Thread-safe (immutable).
 */
public final class S3StorageSettings {
    /** Option key: endpoint URI override; default: AWS. */
    public static final String ENDPOINT = "cairn.s3.endpoint";
    /** Option key: signing region; default: the SDK's region provider chain, else {@code us-east-1}. */
    public static final String REGION = "cairn.s3.region";
    /** Option key: path-style requests, {@code true} or {@code false} (default). */
    public static final String PATH_STYLE_ACCESS = "cairn.s3.path-style-access";
    /** Option key: static access key id. */
    public static final String ACCESS_KEY = "cairn.s3.access-key";
    /** Option key: static secret access key. */
    public static final String SECRET_KEY = "cairn.s3.secret-key";
    /** Option key: session token for temporary static credentials. */
    public static final String SESSION_TOKEN = "cairn.s3.session-token";
    /** Option key: named credentials profile. */
    public static final String PROFILE = "cairn.s3.profile";
    /** Option key: {@code eventual} (default) or {@code strong}. */
    public static final String LISTING_CONSISTENCY = "cairn.s3.listing.consistency";
    /** Option key: multipart part size, default {@code 8MiB}. */
    public static final String PART_SIZE = "cairn.s3.upload.part-size";
    /** Option key: part buffers per writer, default {@code 4}. */
    public static final String UPLOAD_CONCURRENCY = "cairn.s3.upload.concurrency";
    /** Option key: HTTP connection pool size, default {@code 64}. */
    public static final String MAX_CONNECTIONS = "cairn.s3.max-connections";
    /** Option key: connect timeout, default {@code 10s}. */
    public static final String CONNECTION_TIMEOUT = "cairn.s3.connection-timeout";
    /** Option key: socket read timeout, default {@code 60s}. */
    public static final String SOCKET_TIMEOUT = "cairn.s3.socket-timeout";
    /** Option key: attempts per request, default {@code 6}. */
    public static final String MAX_ATTEMPTS = "cairn.s3.retry.max-attempts";
    /** Option key: per-request checksum, default {@code auto}. */
    public static final String CHECKSUM = "cairn.s3.checksum";
    /** Option key: {@code If-None-Match: *} on no-overwrite commits, default {@code true}. */
    public static final String CONDITIONAL_WRITES = "cairn.s3.conditional-writes";
    /** Option key: keys per listing page, default {@code 1000}. */
    public static final String LIST_PAGE_SIZE = "cairn.s3.list.page-size";
    /** Option key: a PEM file of CA certificates to trust for an {@code https} endpoint instead of the JVM's. */
    public static final String CA_BUNDLE = "cairn.s3.ca-bundle";
    /** Option key: {@code aws-chunked} upload bodies, {@code auto} (default: only for AWS), {@code true} or {@code false}. */
    public static final String CHUNKED_ENCODING = "cairn.s3.chunked-encoding";
    /** Option key: the SDK's own request and response checksums, {@code when-required} (default) or {@code when-supported}. */
    public static final String SDK_CHECKSUMS = "cairn.s3.sdk-checksums";
    /** Option key: longest time one operation may take, all its retries included, default {@code 2m}. */
    public static final String API_CALL_TIMEOUT = "cairn.s3.api-call-timeout";
    /** Option key: HEAD each committed object and compare its size with the bytes sent, default {@code true}. */
    public static final String CHECK_STORED_SIZE = "cairn.s3.commit.check-size";
    /** Option key: probe what the store supports on first write, default {@code true}. */
    public static final String PROBE = "cairn.s3.probe";

    /** S3's smallest part size for every part but the last. */
    public static final long MIN_PART_SIZE = 5L << 20;
    /** The largest part size: what one Java array holds (S3 itself allows parts up to 5 GiB). */
    public static final long MAX_PART_SIZE = Integer.MAX_VALUE - 8;

    private final URI endpoint;
    private final String region;
    private final boolean pathStyleAccess;
    private final String accessKey;
    private final String secretKey;
    private final String sessionToken;
    private final String profile;
    private final ListingConsistency listingConsistency;
    private final int partSize;
    private final int uploadConcurrency;
    private final int maxConnections;
    private final Duration connectionTimeout;
    private final Duration socketTimeout;
    private final int maxAttempts;
    private final S3Checksum checksum;
    private final boolean conditionalWrites;
    private final int listPageSize;
    private final Path caBundle;
    private final Boolean chunkedEncoding;
    private final SdkChecksums sdkChecksums;
    private final Duration apiCallTimeout;
    private final boolean checkStoredSize;
    private final boolean probe;

    private S3StorageSettings(Builder b) {
        this.endpoint = b.endpoint;
        this.region = b.region;
        this.pathStyleAccess = b.pathStyleAccess;
        this.accessKey = b.accessKey;
        this.secretKey = b.secretKey;
        this.sessionToken = b.sessionToken;
        this.profile = b.profile;
        this.listingConsistency = b.listingConsistency;
        this.partSize = b.partSize;
        this.uploadConcurrency = b.uploadConcurrency;
        this.maxConnections = b.maxConnections;
        this.connectionTimeout = b.connectionTimeout;
        this.socketTimeout = b.socketTimeout;
        this.maxAttempts = b.maxAttempts;
        this.checksum = b.checksum;
        this.conditionalWrites = b.conditionalWrites;
        this.listPageSize = b.listPageSize;
        this.caBundle = b.caBundle;
        this.chunkedEncoding = b.chunkedEncoding;
        this.sdkChecksums = b.sdkChecksums;
        this.apiCallTimeout = b.apiCallTimeout;
        this.checkStoredSize = b.checkStoredSize;
        this.probe = b.probe;
    }

    /**
     * When the SDK computes checksums of its own: {@link #WHEN_REQUIRED} only for the few requests
     * whose API demands one (Cairn adds its own per request, see {@link S3Checksum}), or
     * {@link #WHEN_SUPPORTED} for every request that can carry one (the SDK's default since 2.30:
     * a CRC32 in an {@code aws-chunked} trailer, which many S3-compatible stores reject or store as
     * data, and CRC checks of downloads).
     */
    public enum SdkChecksums {
        /** Only where the API requires a checksum (the default). */
        WHEN_REQUIRED,
        /** Wherever the API allows one. */
        WHEN_SUPPORTED;

        /** The option value. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Every option key this class reads. */
    public static Set<String> optionKeys() {
        return Set.of(ENDPOINT, REGION, PATH_STYLE_ACCESS, ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, PROFILE, LISTING_CONSISTENCY,
                PART_SIZE, UPLOAD_CONCURRENCY, MAX_CONNECTIONS, CONNECTION_TIMEOUT, SOCKET_TIMEOUT, MAX_ATTEMPTS, CHECKSUM,
                CONDITIONAL_WRITES, LIST_PAGE_SIZE, CA_BUNDLE, CHUNKED_ENCODING, SDK_CHECKSUMS, API_CALL_TIMEOUT, CHECK_STORED_SIZE,
                PROBE);
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings from a context's string options; unset keys keep their defaults.
     *
     * @throws CairnException naming the key for a value that does not parse or is out of range
     */
    public static S3StorageSettings fromOptions(CairnOptions options) {
        Builder b = builder();
        options.get(ENDPOINT).ifPresent(v -> b.endpoint(parseEndpoint(v)));
        options.get(REGION).ifPresent(b::region);
        b.pathStyleAccess(options.getBoolean(PATH_STYLE_ACCESS, false));
        options.get(ACCESS_KEY).ifPresent(v -> b.accessKey = v);
        options.get(SECRET_KEY).ifPresent(v -> b.secretKey = v);
        options.get(SESSION_TOKEN).ifPresent(v -> b.sessionToken = v);
        options.get(PROFILE).ifPresent(b::profile);
        b.listingConsistency(ListingConsistency.fromOption(options, LISTING_CONSISTENCY, ListingConsistency.EVENTUAL,
                "eventual polls listings until every part shows, strong trusts the first listing (AWS S3 since December 2020, MinIO)"));
        b.partSize(checkedPartSize(PART_SIZE, options.getBytes(PART_SIZE, b.partSize)));
        b.uploadConcurrency(atLeast(UPLOAD_CONCURRENCY, options.getInt(UPLOAD_CONCURRENCY, b.uploadConcurrency), 1));
        b.maxConnections(atLeast(MAX_CONNECTIONS, options.getInt(MAX_CONNECTIONS, b.maxConnections), 1));
        b.connectionTimeout(positive(CONNECTION_TIMEOUT, options.getDuration(CONNECTION_TIMEOUT, b.connectionTimeout)));
        b.socketTimeout(positive(SOCKET_TIMEOUT, options.getDuration(SOCKET_TIMEOUT, b.socketTimeout)));
        b.maxAttempts(atLeast(MAX_ATTEMPTS, options.getInt(MAX_ATTEMPTS, b.maxAttempts), 1));
        options.get(CHECKSUM).ifPresent(v -> b.checksum(S3Checksum.fromId(CHECKSUM, v)));
        b.conditionalWrites(options.getBoolean(CONDITIONAL_WRITES, true));
        int page = options.getInt(LIST_PAGE_SIZE, b.listPageSize);
        if (page < 1 || page > 1000) {
            throw invalid(LIST_PAGE_SIZE, String.valueOf(page), "a page size from 1 to 1000 (S3 returns at most 1000 keys per page)");
        }
        b.listPageSize(page);
        options.get(CA_BUNDLE).ifPresent(v -> b.caBundle(Path.of(v.trim())));
        options.get(CHUNKED_ENCODING).ifPresent(v -> b.chunkedEncoding(parseAutoBoolean(CHUNKED_ENCODING, v)));
        options.get(SDK_CHECKSUMS).ifPresent(v -> b.sdkChecksums(parseSdkChecksums(v)));
        b.apiCallTimeout(positive(API_CALL_TIMEOUT, options.getDuration(API_CALL_TIMEOUT, b.apiCallTimeout)));
        b.checkStoredSize(options.getBoolean(CHECK_STORED_SIZE, true));
        b.probe(options.getBoolean(PROBE, true));
        return b.build();
    }

    /**
     * Checks every {@code cairn.s3.*} option of a context at once, as {@link #fromOptions} reads
     * them, so that a wrong endpoint or half a credential fails when the context is built rather
     * than inside its first task.
     *
     * @throws CairnException naming the first invalid option, the value found and the form expected
     */
    public static void validate(CairnOptions options) {
        fromOptions(options);
    }

    private static Boolean parseAutoBoolean(String key, String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
                return null;
            case "true":
                return Boolean.TRUE;
            case "false":
                return Boolean.FALSE;
            default:
                throw invalid(key, value, "auto, true or false");
        }
    }

    private static SdkChecksums parseSdkChecksums(String value) {
        for (SdkChecksums c : SdkChecksums.values()) {
            if (c.id().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw invalid(SDK_CHECKSUMS, value, "when-required or when-supported");
    }

    private static URI parseEndpoint(String value) {
        String v = value.trim();
        // Messages echo the endpoint: never a password written into it (http://key:secret@host).
        String shown = withoutUserInfo(v);
        boolean userInfo = !shown.equals(v);
        String expected = "an http:// or https:// URI such as http://127.0.0.1:9000";
        String credentials = userInfo ? "; credentials go in " + ACCESS_KEY + " and " + SECRET_KEY + ", not in the URI" : "";
        if (!v.contains("://")) {
            // "127.0.0.1:9000" is no URI at all, and "minio:9000" one with scheme "minio".
            String host = userInfo ? shown.substring(shown.indexOf('@') + 1) : v;
            throw invalid(ENDPOINT, shown, expected, "no scheme; write http://" + host + " or https://" + host + credentials);
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (URISyntaxException e) {
            // getReason(), not getMessage(): the message quotes the input.
            throw invalid(ENDPOINT, shown, expected, "a string that is not a URI (" + e.getReason() + ")" + credentials);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(ENDPOINT, shown, expected, "scheme '" + uri.getScheme() + "'" + credentials);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw invalid(ENDPOINT, shown, expected, "no host name" + credentials);
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid(ENDPOINT, shown, expected, "user information in the URI; set " + ACCESS_KEY + " and " + SECRET_KEY
                    + " instead");
        }
        return uri;
    }

    /**
     * {@code endpoint} with everything between the scheme and its last {@code @} replaced by
     * {@code ****}: the user information of {@code http://key:secret@host} or of
     * {@code key:secret@host}, even when the secret holds a {@code /}, {@code ?} or {@code #} that
     * would end the authority early. Unchanged without an {@code @}.
     */
    static String withoutUserInfo(String endpoint) {
        int start = endpoint.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        int at = endpoint.lastIndexOf('@');
        return at < start ? endpoint : endpoint.substring(0, start) + "****" + endpoint.substring(at);
    }

    private static int checkedPartSize(String key, long bytes) {
        if (bytes < MIN_PART_SIZE || bytes > MAX_PART_SIZE) {
            throw invalid(key, bytes + " bytes", "a part size from 5MiB (S3's minimum for all but the last part) to 2047MiB");
        }
        return (int) bytes;
    }

    private static int atLeast(String key, int value, int min) {
        if (value < min) {
            throw invalid(key, String.valueOf(value), "a whole number >= " + min);
        }
        return value;
    }

    private static Duration positive(String key, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw invalid(key, d.toString(), "a duration > 0 such as 500ms, 30s or 2m");
        }
        return d;
    }

    static CairnException invalid(String key, String value, String expected) {
        return invalid(key, value, expected, "'" + value + "'");
    }

    /** "Cannot read option KEY: 'VALUE' (expected …, found …)": the message of every invalid option. */
    static CairnException invalid(String key, String value, String expected, String found) {
        return new CairnException("Cannot read option " + key + ": '" + value + "' (expected " + expected + ", found " + found + ")");
    }

    /** The endpoint override; empty for AWS. */
    public Optional<URI> endpoint() {
        return Optional.ofNullable(endpoint);
    }

    /** The region; empty to ask the SDK's region provider chain (then {@code us-east-1}). */
    public Optional<String> region() {
        return Optional.ofNullable(region);
    }

    /** Whether requests are path-style. */
    public boolean pathStyleAccess() {
        return pathStyleAccess;
    }

    /** The static access key id, if static credentials are set. */
    public Optional<String> accessKey() {
        return Optional.ofNullable(accessKey);
    }

    /** The static secret key, if static credentials are set. */
    Optional<String> secretKey() {
        return Optional.ofNullable(secretKey);
    }

    /** The session token of static temporary credentials. */
    Optional<String> sessionToken() {
        return Optional.ofNullable(sessionToken);
    }

    /** The credentials profile name, if set. */
    public Optional<String> profile() {
        return Optional.ofNullable(profile);
    }

    /** The listing consistency the storage declares. */
    public ListingConsistency listingConsistency() {
        return listingConsistency;
    }

    /** Bytes per multipart part; files up to this size are one PUT. */
    public int partSize() {
        return partSize;
    }

    /** Part buffers per writer, the one being filled included: a writer holds at most {@code partSize × uploadConcurrency} bytes. */
    public int uploadConcurrency() {
        return uploadConcurrency;
    }

    /** HTTP connection pool size. */
    public int maxConnections() {
        return maxConnections;
    }

    /** TCP connect timeout. */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** Longest wait for bytes on an open connection. */
    public Duration socketTimeout() {
        return socketTimeout;
    }

    /** Attempts per request, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Per-request checksum. */
    public S3Checksum checksum() {
        return checksum;
    }

    /** Whether no-overwrite commits send {@code If-None-Match: *}. */
    public boolean conditionalWrites() {
        return conditionalWrites;
    }

    /** Keys per listing page. */
    public int listPageSize() {
        return listPageSize;
    }

    /** The PEM file of CA certificates trusted for {@code https} endpoints; empty for the JVM's trust store. */
    public Optional<Path> caBundle() {
        return Optional.ofNullable(caBundle);
    }

    /**
     * Whether uploads may be sent in {@code aws-chunked} encoding (the SDK's streaming signature over
     * http, and its checksum trailers): as configured, else only for AWS itself. A custom endpoint
     * gets plain bodies, which every store keeps byte for byte; some S3-compatible stores and
     * proxies do not decode {@code aws-chunked} and would store the chunk framing as data.
     */
    public boolean chunkedEncoding() {
        return chunkedEncoding != null ? chunkedEncoding : endpoint == null;
    }

    /** When the SDK adds checksums of its own. */
    public SdkChecksums sdkChecksums() {
        return sdkChecksums;
    }

    /** Longest time one operation may take, all its attempts and backoff included. */
    public Duration apiCallTimeout() {
        return apiCallTimeout;
    }

    /** Whether each commit is followed by a HEAD that compares the stored size with the bytes sent. */
    public boolean checkStoredSize() {
        return checkStoredSize;
    }

    /** Whether the storage probes, on its first write, what the store supports. */
    public boolean probe() {
        return probe;
    }

    @Override
    public String toString() {
        // Never the secret or the token: settings end up in logs.
        return "S3StorageSettings{endpoint=" + (endpoint == null ? "AWS" : endpoint) + ", region=" + (region == null ? "(chain)" : region)
                + ", pathStyleAccess=" + pathStyleAccess + ", credentials=" + (accessKey != null ? "static " + accessKey
                : profile != null ? "profile " + profile : "default chain") + ", listing=" + listingConsistency
                + ", partSize=" + partSize + ", uploadConcurrency=" + uploadConcurrency + ", maxConnections=" + maxConnections
                + ", maxAttempts=" + maxAttempts + ", apiCallTimeout=" + apiCallTimeout + ", checksum=" + checksum.id()
                + ", conditionalWrites=" + conditionalWrites + ", chunkedEncoding=" + chunkedEncoding() + ", sdkChecksums="
                + sdkChecksums.id() + ", checkStoredSize=" + checkStoredSize + ", probe=" + probe
                + (caBundle == null ? "" : ", caBundle=" + caBundle) + "}";
    }

    /** Builds {@link S3StorageSettings}; not thread-safe. */
    public static final class Builder {
        private URI endpoint;
        private String region;
        private boolean pathStyleAccess;
        private String accessKey;
        private String secretKey;
        private String sessionToken;
        private String profile;
        private ListingConsistency listingConsistency = ListingConsistency.EVENTUAL;
        private int partSize = 8 << 20;
        private int uploadConcurrency = 4;
        private int maxConnections = 64;
        private Duration connectionTimeout = Duration.ofSeconds(10);
        private Duration socketTimeout = Duration.ofSeconds(60);
        private int maxAttempts = 6;
        private S3Checksum checksum = S3Checksum.AUTO;
        private boolean conditionalWrites = true;
        private int listPageSize = 1000;
        private Path caBundle;
        private Boolean chunkedEncoding;
        private SdkChecksums sdkChecksums = SdkChecksums.WHEN_REQUIRED;
        private Duration apiCallTimeout = Duration.ofMinutes(2);
        private boolean checkStoredSize = true;
        private boolean probe = true;

        private Builder() {
        }

        /** Endpoint of an S3-compatible store, e.g. {@code http://127.0.0.1:9000}; {@code null} for AWS. */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** Signing region, e.g. {@code eu-west-1}; {@code null} to ask the SDK's region chain. */
        public Builder region(String region) {
            if (region != null && region.isBlank()) {
                throw invalid(REGION, region, "a region name such as us-east-1");
            }
            this.region = region == null ? null : region.trim();
            return this;
        }

        /** Path-style requests (MinIO, Ceph and S3Proxy usually need them). */
        public Builder pathStyleAccess(boolean pathStyleAccess) {
            this.pathStyleAccess = pathStyleAccess;
            return this;
        }

        /** Static credentials; {@code null}s to use the profile or the SDK's default chain. */
        public Builder credentials(String accessKey, String secretKey) {
            this.accessKey = accessKey;
            this.secretKey = secretKey;
            return this;
        }

        /** Session token for temporary static credentials. */
        public Builder sessionToken(String sessionToken) {
            this.sessionToken = sessionToken;
            return this;
        }

        /** Credentials profile name. */
        public Builder profile(String profile) {
            this.profile = profile;
            return this;
        }

        /** What listings guarantee; {@link ListingConsistency#EVENTUAL} unless set. */
        public Builder listingConsistency(ListingConsistency listingConsistency) {
            this.listingConsistency = Objects.requireNonNull(listingConsistency, "listingConsistency");
            return this;
        }

        /** Multipart part size in bytes, from 5 MiB to 2047 MiB. */
        public Builder partSize(long partSize) {
            this.partSize = checkedPartSize(PART_SIZE, partSize);
            return this;
        }

        /** Part buffers per writer, the one being filled included; 1 uploads in the writing thread. */
        public Builder uploadConcurrency(int uploadConcurrency) {
            this.uploadConcurrency = atLeast(UPLOAD_CONCURRENCY, uploadConcurrency, 1);
            return this;
        }

        /** HTTP connection pool size. */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = atLeast(MAX_CONNECTIONS, maxConnections, 1);
            return this;
        }

        /** TCP connect timeout. */
        public Builder connectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = positive(CONNECTION_TIMEOUT, Objects.requireNonNull(connectionTimeout, "connectionTimeout"));
            return this;
        }

        /** Longest wait for bytes on an open connection. */
        public Builder socketTimeout(Duration socketTimeout) {
            this.socketTimeout = positive(SOCKET_TIMEOUT, Objects.requireNonNull(socketTimeout, "socketTimeout"));
            return this;
        }

        /** Attempts per request, the first included; 1 disables retries. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = atLeast(MAX_ATTEMPTS, maxAttempts, 1);
            return this;
        }

        /** Per-request checksum. */
        public Builder checksum(S3Checksum checksum) {
            this.checksum = Objects.requireNonNull(checksum, "checksum");
            return this;
        }

        /** Whether no-overwrite commits send {@code If-None-Match: *}. */
        public Builder conditionalWrites(boolean conditionalWrites) {
            this.conditionalWrites = conditionalWrites;
            return this;
        }

        /** Keys per listing page, 1 to 1000. */
        public Builder listPageSize(int listPageSize) {
            if (listPageSize < 1 || listPageSize > 1000) {
                throw invalid(LIST_PAGE_SIZE, String.valueOf(listPageSize), "a page size from 1 to 1000");
            }
            this.listPageSize = listPageSize;
            return this;
        }

        /**
         * A PEM file of CA certificates (one or more {@code -----BEGIN CERTIFICATE-----} blocks) to
         * trust for an {@code https} endpoint instead of the JVM's trust store: for stores whose
         * certificate a private CA signed. {@code null} for the JVM's trust store.
         */
        public Builder caBundle(Path caBundle) {
            if (caBundle != null && !Files.isReadable(caBundle)) {
                throw invalid(CA_BUNDLE, caBundle.toString(), "a readable PEM file of CA certificates", "no readable file there");
            }
            this.caBundle = caBundle;
            return this;
        }

        /**
         * {@code aws-chunked} upload bodies: {@code true} for stores known to decode them,
         * {@code false} for plain bodies, {@code null} (the default) for AWS only.
         */
        public Builder chunkedEncoding(Boolean chunkedEncoding) {
            this.chunkedEncoding = chunkedEncoding;
            return this;
        }

        /** When the SDK adds checksums of its own; {@link SdkChecksums#WHEN_REQUIRED} unless set. */
        public Builder sdkChecksums(SdkChecksums sdkChecksums) {
            this.sdkChecksums = Objects.requireNonNull(sdkChecksums, "sdkChecksums");
            return this;
        }

        /** Longest time one operation may take, all its retries included; 2 minutes unless set. */
        public Builder apiCallTimeout(Duration apiCallTimeout) {
            this.apiCallTimeout = positive(API_CALL_TIMEOUT, Objects.requireNonNull(apiCallTimeout, "apiCallTimeout"));
            return this;
        }

        /** Whether each commit is checked with a HEAD comparing stored size and bytes sent; on unless set. */
        public Builder checkStoredSize(boolean checkStoredSize) {
            this.checkStoredSize = checkStoredSize;
            return this;
        }

        /** Whether the storage probes on its first write what the store supports; on unless set. */
        public Builder probe(boolean probe) {
            this.probe = probe;
            return this;
        }

        /**
         * The settings.
         *
         * @throws CairnException when only one of access key and secret key is set, when a
         *                        session token comes without them, or when static keys and a
         *                        profile are both set
         */
        public S3StorageSettings build() {
            if ((accessKey == null) != (secretKey == null)) {
                throw new CairnException("Cannot configure S3 credentials: options " + ACCESS_KEY + " and " + SECRET_KEY
                        + " (expected both or neither, found only " + (accessKey == null ? SECRET_KEY : ACCESS_KEY + " '" + accessKey + "'")
                        + "; set " + (accessKey == null ? ACCESS_KEY : SECRET_KEY)
                        + " too, or leave both out to use the SDK's default credentials chain)");
            }
            if (accessKey != null && (accessKey.isBlank() || secretKey.isBlank())) {
                throw new CairnException("Cannot configure S3 credentials: options " + ACCESS_KEY + " and " + SECRET_KEY
                        + " (expected non-empty keys, found an empty " + (accessKey.isBlank() ? ACCESS_KEY : SECRET_KEY)
                        + "; leave both out to use the SDK's default credentials chain)");
            }
            if (sessionToken != null && accessKey == null) {
                throw new CairnException("Cannot configure S3 credentials: option " + SESSION_TOKEN + " (expected it together with "
                        + ACCESS_KEY + " and " + SECRET_KEY + ", found the token alone; temporary credentials are all three)");
            }
            if (profile != null && accessKey != null) {
                throw new CairnException("Cannot configure S3 credentials: options " + PROFILE + " '" + profile + "' and " + ACCESS_KEY
                        + " (expected static keys or a profile, found both; keep one of them)");
            }
            return new S3StorageSettings(this);
        }
    }
}
