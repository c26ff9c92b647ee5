package dev.cairn.storage.s3;

import dev.cairn.CairnException;
import dev.cairn.storage.FileStatus;
import dev.cairn.storage.ListingConsistency;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageOutput;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.zip.CRC32C;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.TlsTrustManagersProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Cairn's native {@code s3://bucket/prefix} storage on the AWS SDK for Java v2: one object per
 * file, directories as key prefixes ending in {@code /}.
 *
 * <h2>How it keeps the {@link Storage} contract</h2>
 * <ul>
 *   <li><b>Atomic publish.</b> A file up to {@link S3StorageSettings#partSize()} is buffered and
 *       sent as one PUT on {@link StorageOutput#commit()}. A larger one streams as a multipart
 *       upload, at most {@link S3StorageSettings#uploadConcurrency()} part buffers per writer,
 *       and appears only when the upload is completed by the commit; closing without a commit,
 *       or any failure, aborts the upload, so no parts are left behind to be billed.</li>
 *   <li><b>No overwrite.</b> {@code create(file, false)} sends {@code If-None-Match: *} with the
 *       PUT or the completion, which AWS S3 (since August 2024), MinIO and recent Ceph enforce
 *       atomically: of two racing commits, exactly one wins. Where the probe has not shown the
 *       store to enforce it on PUTs, and before every multipart completion, a HEAD checks first
 *       that nothing is there; a store that ignores the header (S3Proxy 2.6 does) leaves the
 *       window between the HEAD and the PUT open. A {@code 412} is checked against what is
 *       stored before it counts as a lost race (a retried request may find its own object);
 *       docs/storage-s3.md says which stores do what.</li>
 *   <li><b>Listings</b> are paginated {@code ListObjectsV2} calls with delimiter {@code /}. Whether
 *       they may lag behind commits is declared by {@link S3StorageSettings#listingConsistency()},
 *       {@code eventual} by default: core's {@code ListingWaiter} then polls until every part of
 *       a checkpoint is listed with its size. AWS S3 is strongly consistent since December 2020,
 *       but many S3-compatible stores and gateways are not, and the poll costs one listing when
 *       the store is consistent.</li>
 *   <li><b>Errors</b> are retried by the SDK's standard retry strategy with exponential backoff
 *       and jitter (throttling such as {@code 503 SlowDown}, 5xx, dropped connections); a read
 *       that breaks halfway resumes with a range request. Permanent errors (403, a missing
 *       bucket) fail at once with an {@link S3StorageException} naming bucket, key and S3 error
 *       code.</li>
 * </ul>
 *
 * <p>Thread-safe: one instance serves every task of a context over one pooled HTTP client.
 * Outputs and input streams belong to one thread each.
 */
public final class S3Storage implements Storage {
    private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);
    private static final AtomicInteger UPLOAD_THREADS = new AtomicInteger();
    /** How long {@link #close()} waits for requests in flight. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final S3StorageSettings settings;
    private final AwsCredentialsProvider credentials;
    private final S3Client client;
    private final ExecutorService uploads;
    private final ListingConsistency listing;
    /** Set when the store answered a CRC32C checksum header with "not implemented" (checksum=auto only). */
    private volatile boolean crc32cRejected;
    private volatile boolean closed;
    /** Set when the store answered DeleteObjects with "not implemented": keys are then deleted one by one. */
    private volatile boolean bulkDeleteRejected;
    /**
     * Every request holds the read lock while it runs; {@link #close()} takes the write lock, so it
     * waits for requests in flight (a background delete, an upload) before it closes the HTTP
     * client under them.
     */
    private final ReentrantReadWriteLock requests = new ReentrantReadWriteLock();
    /** Multipart uploads whose abort failed: their parts stay billed until a lifecycle rule removes them. */
    private final List<AbandonedUpload> abandoned = new CopyOnWriteArrayList<>();
    private final StoreProbe probe;

    /**
     * A multipart upload that could not be aborted: its parts stay in the store, billed, until a
     * bucket lifecycle rule ({@code AbortIncompleteMultipartUpload}) or an operator removes them.
     *
     * @param bucket   the bucket
     * @param key      the key the upload was for
     * @param uploadId the upload id, for {@code aws s3api abort-multipart-upload}
     * @param reason   why the abort failed
     */
    public record AbandonedUpload(String bucket, String key, String uploadId, String reason) {
    }

    /**
     * A storage talking to the store {@code settings} describe. Builds the SDK client; sends no
     * request (a wrong endpoint or credentials show on first use, naming the bucket).
     */
    public S3Storage(S3StorageSettings settings) {
        this.settings = settings;
        this.listing = settings.listingConsistency();
        this.credentials = credentialsProvider(settings);
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(settings.maxConnections())
                        .connectionTimeout(settings.connectionTimeout())
                        .socketTimeout(settings.socketTimeout())
                        // Writers wait for a pooled connection rather than fail when every one is busy.
                        .connectionAcquisitionTimeout(settings.socketTimeout())
                        .tlsTrustManagersProvider(settings.caBundle().isEmpty() ? null : trustManagers(settings.caBundle().get())))
                .region(Region.of(region(settings)))
                .credentialsProvider(credentials)
                .forcePathStyle(settings.pathStyleAccess())
                // Chosen here, not left to the SDK's default (which became WHEN_SUPPORTED in 2.30: a
                // CRC32 in an aws-chunked trailer on every upload, which many S3-compatible stores
                // reject or store as data). Cairn adds its own request checksum (S3Checksum) and
                // verifies every part's CRC32C end to end, so an SDK upgrade changes nothing sent.
                .requestChecksumCalculation(settings.sdkChecksums() == S3StorageSettings.SdkChecksums.WHEN_SUPPORTED
                        ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(settings.sdkChecksums() == S3StorageSettings.SdkChecksums.WHEN_SUPPORTED
                        ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
                // Requests whose API demands a checksum (DeleteObjects) carry Content-MD5, as before
                // SDK 2.30, not the CRC32 newer SDKs pick, which S3Proxy and other stores refuse (501).
                .addPlugin(LegacyMd5Plugin.create())
                // WHEN_REQUIRED responses also leave out the SDK's old "ETag must be the MD5 of the
                // body" check, which misfires on stores whose ETags are not MD5s (SSE-KMS, many
                // gateways); Cairn sends Content-MD5 or CRC32C for the store to check instead, and
                // verifies every part's CRC32C itself after writing and on every read.
                .serviceConfiguration(S3Configuration.builder()
                        // Over http the SDK signs upload bodies in aws-chunked encoding, which some
                        // S3-compatible stores and proxies do not decode: they store the chunk
                        // framing as part of the object. Off, the SDK signs the whole body instead
                        // (http) or sends it unsigned under TLS (https): plain bytes either way.
                        .chunkedEncodingEnabled(settings.chunkedEncoding())
                        .build())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(settings.maxAttempts())
                        // A checkpoint fails when one part fails: every request gets all its
                        // attempts, instead of the token bucket cutting retries short when many
                        // parallel writers are throttled at once.
                        .circuitBreakerEnabled(false)
                        .build())
                        // One deadline per operation over all its attempts and backoff, so that a
                        // store that accepts connections and never answers fails in bounded time.
                        .apiCallTimeout(settings.apiCallTimeout())
                        .addExecutionInterceptor(new RetryReporter(endpointName(settings), settings.maxAttempts())));
        settings.endpoint().ifPresent(builder::endpointOverride);
        this.client = builder.build();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "cairn-s3-upload-" + UPLOAD_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Unbounded on purpose: each writer bounds its own uploads in flight (upload concurrency - 1).
        this.uploads = pool;
        this.probe = new StoreProbe(this);
        LOG.debug("Opened S3 storage: {}", settings);
    }

    private static AwsCredentialsProvider credentialsProvider(S3StorageSettings s) {
        if (s.accessKey().isPresent()) {
            String ak = s.accessKey().get();
            String sk = s.secretKey().orElseThrow();
            return StaticCredentialsProvider.create(s.sessionToken().isPresent()
                    ? AwsSessionCredentials.create(ak, sk, s.sessionToken().get()) : AwsBasicCredentials.create(ak, sk));
        }
        if (s.profile().isPresent()) {
            return ProfileCredentialsProvider.builder().profileName(s.profile().get()).build();
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /** Trust managers that trust exactly the certificates of a PEM bundle (as the AWS CLI's {@code ca_bundle} does). */
    private static TlsTrustManagersProvider trustManagers(Path bundle) {
        TrustManager[] managers;
        try (InputStream in = Files.newInputStream(bundle)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new CairnException("Cannot read option " + S3StorageSettings.CA_BUNDLE + ": " + bundle
                        + " (expected PEM certificates, found none; give a file of -----BEGIN CERTIFICATE----- blocks)");
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                trusted.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            managers = factory.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new CairnException("Cannot read option " + S3StorageSettings.CA_BUNDLE + ": " + bundle
                    + " (expected a readable PEM file of CA certificates, found " + e + ")", e);
        }
        return () -> managers;
    }

    private static String region(S3StorageSettings s) {
        if (s.region().isPresent()) {
            return s.region().get();
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion().id();
        } catch (SdkException e) {
            // S3-compatible stores mostly ignore the region, and AWS redirects are reported with a hint.
            return "us-east-1";
        }
    }

    /** The endpoint for messages: its URI, or "AWS S3". */
    static String endpointName(S3StorageSettings s) {
        return s.endpoint().map(URI::toString).orElse("AWS S3");
    }

    /** What this storage was built with. */
    public S3StorageSettings settings() {
        return settings;
    }

    /** Listing consistency as configured; no atomic rename (S3 has none, and needs none: objects appear whole). */
    @Override
    public ListingConsistency listing() {
        return listing;
    }

    /**
     * Runs one SDK request while holding off {@link #close()}. A failure without an answer from the
     * store is rethrown with the endpoint, the operation and the time spent, for the message
     * {@link S3Errors#translate} builds from it.
     *
     * @throws IllegalStateException when the storage is closed
     */
    <T> T call(String operation, Function<S3Client, T> request) {
        // A request inside an operation that holds off close() (delete, list, stat) may go on.
        boolean inOperation = requests.getReadHoldCount() > 0;
        if (!inOperation) {
            checkOpen(); // fail fast once closed, rather than queue behind the closing
        }
        requests.readLock().lock();
        long start = System.nanoTime();
        try {
            if (!inOperation) {
                checkOpen();
            }
            return request.apply(client);
        } catch (SdkClientException e) {
            if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
                throw e;
            }
            Duration spent = Duration.ofNanos(System.nanoTime() - start);
            throw SdkClientException.builder().message("no answer from " + endpointName(settings) + " to " + operation + " within "
                    + seconds(spent) + " (" + S3StorageSettings.API_CALL_TIMEOUT + " " + seconds(settings.apiCallTimeout()) + ", "
                    + S3StorageSettings.MAX_ATTEMPTS + " " + settings.maxAttempts() + "): " + e.getMessage()).cause(e).build();
        } finally {
            requests.readLock().unlock();
        }
    }

    /** One operation of several requests that {@link #close()} waits for as a whole. */
    private interface Operation<T> {
        T run() throws IOException;
    }

    private <T> T operation(Operation<T> op) throws IOException {
        checkOpen();
        requests.readLock().lock();
        try {
            checkOpen();
            return op.run();
        } finally {
            requests.readLock().unlock();
        }
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    /** The client, for tests that set up buckets. */
    S3Client client() {
        checkOpen();
        return client;
    }

    ExecutorService uploads() {
        return uploads;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Cannot use S3 storage (expected an open storage, found it closed with its context)");
        }
    }

    /**
     * Opens an object with a GET. A read that breaks off resumes with a range request for the same
     * ETag.
     *
     * @throws NoSuchFileException   when there is no such object
     * @throws S3StorageException    for a missing bucket, access denied and other refusals
     */
    @Override
    public InputStream open(URI file) throws IOException {
        S3Location loc = S3Location.parse(file, "open");
        ResponseInputStream<GetObjectResponse> body;
        try {
            body = call("GetObject", c -> c.getObject(GetObjectRequest.builder().bucket(loc.bucket()).key(loc.objectKey()).build()));
        } catch (SdkException e) {
            throw S3Errors.translate("open", loc, "an object to read", e);
        }
        return new S3InputStream(this, new S3Location(loc.bucket(), loc.objectKey()), body);
    }

    /**
     * Starts an upload. Nothing is sent until the data reaches a part size (then a multipart upload
     * starts) or until the commit (then it is one PUT).
     */
    @Override
    public StorageOutput create(URI file, boolean overwrite) throws IOException {
        S3Location loc = S3Location.parse(file, "create");
        if (loc.objectKey().isEmpty()) {
            throw new IOException("Cannot create " + file + " (expected an object key after the bucket, found none)");
        }
        checkOpen();
        S3Location target = new S3Location(loc.bucket(), loc.objectKey());
        probe.ensure(target);
        return new S3Output(this, file, target, overwrite);
    }

    /**
     * The object's size and modification time from a HEAD; when there is no object but keys
     * under {@code key/}, a directory.
     */
    @Override
    public FileStatus stat(URI file) throws IOException {
        return operation(() -> {
            S3Location loc = S3Location.parse(file, "stat");
            String key = loc.objectKey();
            if (!key.isEmpty()) {
                try {
                    HeadObjectResponse head = call("HeadObject", c -> c.headObject(HeadObjectRequest.builder().bucket(loc.bucket()).key(key).build()));
                    return new FileStatus(S3Location.toUri(loc.bucket(), key), head.contentLength(), false,
                            head.lastModified() == null ? Instant.EPOCH : head.lastModified());
                } catch (SdkException e) {
                    if (!S3Errors.isMissingObject(e)) {
                        throw S3Errors.translate("stat", loc, "an object's metadata", e);
                    }
                }
            }
            // No object. A prefix with keys under it is a directory; this listing also tells a missing
            // bucket (NoSuchBucket) from a missing key, which a body-less HEAD 404 cannot.
            ListObjectsV2Response page;
            try {
                page = call("ListObjectsV2", c -> c.listObjectsV2(ListObjectsV2Request.builder().bucket(loc.bucket())
                        .prefix(loc.directoryPrefix()).maxKeys(1).build()));
            } catch (SdkException e) {
                throw S3Errors.translate("stat", loc, "an object or a key prefix", e);
            }
            if (page.hasContents() && !page.contents().isEmpty() || key.isEmpty()) {
                return new FileStatus(S3Location.toUri(loc.bucket(), key), 0, true, Instant.EPOCH);
            }
            throw new NoSuchFileException(file.toString(), null, loc.describe() + ": no such object or key prefix");
        });
    }

    /**
     * One {@code ListObjectsV2} call per page of {@link S3StorageSettings#listPageSize()} keys
     * under {@code directory/}, with delimiter {@code /}: objects are files, common prefixes are
     * directories. A directory marker object (a key ending in {@code /}, as consoles create) is
     * not listed as a child of itself.
     */
    @Override
    public List<FileStatus> list(URI directory) throws IOException {
        return listPages(directory, null, null);
    }

    /**
     * As {@link #list}, from the key after {@code startAfter} ({@code ListObjectsV2}'s
     * {@code start-after}), and no more pages once one reaches {@code through}: a poll for the
     * last 5 of 10,000 parts costs one request instead of ten.
     */
    @Override
    public List<FileStatus> listRange(URI directory, String startAfter, String through) throws IOException {
        return listPages(directory, startAfter, through);
    }

    private List<FileStatus> listPages(URI directory, String startAfter, String through) throws IOException {
        return operation(() -> {
            S3Location loc = S3Location.parse(directory, "list");
            String prefix = loc.directoryPrefix();
            String start = startAfter == null ? null : prefix + startAfter;
            String last = through == null ? null : prefix + through;
            List<FileStatus> out = new ArrayList<>();
            String token = null;
            do {
                ListObjectsV2Response page;
                try {
                    String t = token;
                    page = call("ListObjectsV2", c -> c.listObjectsV2(ListObjectsV2Request.builder().bucket(loc.bucket()).prefix(prefix)
                            .delimiter("/").maxKeys(settings.listPageSize()).startAfter(start).continuationToken(t).build()));
                } catch (SdkException e) {
                    throw S3Errors.translate("list", loc, "a listing of the keys under '" + prefix + "'", e);
                }
                String greatest = null;
                for (S3Object o : page.contents()) {
                    greatest = greatest == null || o.key().compareTo(greatest) > 0 ? o.key() : greatest;
                    if (o.key().equals(prefix)) {
                        continue;
                    }
                    out.add(new FileStatus(S3Location.toUri(loc.bucket(), o.key()), o.size() == null ? 0 : o.size(), false,
                            o.lastModified() == null ? Instant.EPOCH : o.lastModified()));
                }
                for (CommonPrefix p : page.commonPrefixes()) {
                    greatest = greatest == null || p.prefix().compareTo(greatest) > 0 ? p.prefix() : greatest;
                    String dir = p.prefix().endsWith("/") ? p.prefix().substring(0, p.prefix().length() - 1) : p.prefix();
                    out.add(new FileStatus(S3Location.toUri(loc.bucket(), dir), 0, true, Instant.EPOCH));
                }
                boolean reached = last != null && greatest != null && greatest.compareTo(last) >= 0;
                token = Boolean.TRUE.equals(page.isTruncated()) && !reached ? page.nextContinuationToken() : null;
            } while (token != null);
            return out;
        });
    }

    /**
     * Deletes the object at the key and every object under {@code key/}, a thousand keys per
     * {@code DeleteObjects} request. Refuses the bucket root: Cairn never empties a whole bucket.
     */
    @Override
    public void delete(URI fileOrDirectory) throws IOException {
        operation(() -> {
            S3Location loc = S3Location.parse(fileOrDirectory, "delete");
            String key = loc.objectKey();
            if (key.isEmpty()) {
                throw new IOException("Cannot delete " + fileOrDirectory + " (expected a key prefix below the bucket, found the bucket"
                        + " root; Cairn never deletes a whole bucket's contents)");
            }
            List<ObjectIdentifier> batch = new ArrayList<>();
            batch.add(ObjectIdentifier.builder().key(key).build());
            String prefix = key + "/";
            String token = null;
            do {
                ListObjectsV2Response page;
                try {
                    String t = token;
                    page = call("ListObjectsV2", c -> c.listObjectsV2(ListObjectsV2Request.builder().bucket(loc.bucket()).prefix(prefix)
                            .maxKeys(settings.listPageSize()).continuationToken(t).build()));
                } catch (SdkException e) {
                    throw S3Errors.translate("delete", loc, "a listing of the keys to delete under '" + prefix + "'", e);
                }
                for (S3Object o : page.contents()) {
                    batch.add(ObjectIdentifier.builder().key(o.key()).build());
                    if (batch.size() == 1000) {
                        deleteBatch(loc, batch);
                        batch.clear();
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            if (!batch.isEmpty()) {
                deleteBatch(loc, batch);
            }
            return null;
        });
    }

    private void deleteBatch(S3Location loc, List<ObjectIdentifier> keys) throws IOException {
        if (bulkDeleteRejected) {
            deleteOneByOne(loc, keys);
            return;
        }
        DeleteObjectsResponse response;
        try {
            response = call("DeleteObjects", c -> c.deleteObjects(DeleteObjectsRequest.builder().bucket(loc.bucket())
                    .delete(Delete.builder().objects(keys).quiet(true).build()).build()));
        } catch (SdkException e) {
            if (S3Errors.status(e) == 501) {
                // SDKs since 2.30 send DeleteObjects with a CRC32 and x-amz-sdk-checksum-algorithm,
                // which some stores (S3Proxy 2.6) do not implement; DeleteObject needs no checksum.
                bulkDeleteRejected = true;
                LOG.warn("The store at {} does not implement DeleteObjects as this SDK sends it ({}); deleting one key per request"
                        + " from now on", endpointName(settings), S3Errors.code(e));
                deleteOneByOne(loc, keys);
                return;
            }
            throw S3Errors.translate("delete", loc, "the store to delete " + keys.size() + " keys", e);
        }
        List<S3Error> errors = response.errors().stream().filter(e -> !"NoSuchKey".equals(e.code())).toList();
        if (!errors.isEmpty()) {
            S3Error first = errors.get(0);
            throw new S3StorageException("Cannot delete " + loc + ": " + loc.describe() + " (expected every key under it deleted, found "
                    + errors.size() + " refused, first " + first.key() + ": S3 error " + first.code() + ": " + first.message()
                    + "; the rest was deleted)", loc.bucket(), first.key(), first.code(), 0, null);
        }
    }

    private void deleteOneByOne(S3Location loc, List<ObjectIdentifier> keys) throws IOException {
        for (ObjectIdentifier id : keys) {
            try {
                call("DeleteObject", c -> c.deleteObject(DeleteObjectRequest.builder().bucket(loc.bucket()).key(id.key()).build()));
            } catch (SdkException e) {
                if (!S3Errors.isMissingObject(e)) {
                    throw S3Errors.translate("delete", new S3Location(loc.bucket(), id.key()), "the store to delete the key", e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- requests of S3Output

    /**
     * What the store supports, as probed on this storage's first write (see
     * {@link S3StorageSettings#PROBE}); empty before it. Logged once at INFO when found.
     */
    public Optional<S3StoreCapabilities> storeCapabilities() {
        return Optional.ofNullable(probe.result());
    }

    /**
     * The checksum to send now: {@code auto} is what the probe found the store verifies (CRC32C,
     * else MD5, else none), and without a probe result CRC32C until the store rejects it.
     */
    S3Checksum checksumToSend() {
        S3Checksum c = settings.checksum();
        if (c == S3Checksum.AUTO) {
            S3StoreCapabilities probed = probe.result();
            if (crc32cRejected) {
                return S3Checksum.MD5;
            }
            return probed != null && probed.checksumSent() != S3Checksum.AUTO ? probed.checksumSent() : S3Checksum.CRC32C;
        }
        return c;
    }

    /** Whether no-overwrite commits send {@code If-None-Match: *}: as configured, unless the probe found the store refuses the header. */
    boolean conditionalWrites() {
        S3StoreCapabilities probed = probe.result();
        return settings.conditionalWrites() && (probed == null || probed.conditionalWrites() != S3StoreCapabilities.Support.REJECTED);
    }

    /**
     * Whether the probe found that the store refuses a PUT with {@code If-None-Match: *} over an
     * existing object (and the header is sent): then a single PUT needs no HEAD before it.
     */
    boolean conditionalWritesEnforced() {
        S3StoreCapabilities probed = probe.result();
        return settings.conditionalWrites() && probed != null && probed.conditionalWrites() == S3StoreCapabilities.Support.SUPPORTED;
    }

    /**
     * Whether {@code e}, answering a request with a CRC32C header, means the store does not know
     * those headers; if so, and {@code checksum=auto}, switches to MD5 for good and returns true.
     */
    boolean fallBackFromCrc32c(S3Checksum sent, SdkException e, S3Location loc) {
        if (settings.checksum() != S3Checksum.AUTO || sent != S3Checksum.CRC32C || !S3Errors.isService(e)) {
            return false;
        }
        int status = S3Errors.status(e);
        String code = S3Errors.code(e);
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        boolean rejected = status == 501 || (status == 400 && ("InvalidArgument".equals(code) || "InvalidRequest".equals(code))
                && message.contains("checksum"));
        if (rejected && !crc32cRejected) {
            crc32cRejected = true;
            LOG.warn("The store at {} rejected the CRC32C checksum headers ({} {}) on {}; sending Content-MD5 instead from now on"
                    + " (set {}=md5 to skip this probe)", settings.endpoint().map(URI::toString).orElse("AWS"), status, code, loc,
                    S3StorageSettings.CHECKSUM);
        }
        return rejected;
    }

    /** Adds the request checksum of {@code data[0..len)} to a PUT. */
    static PutObjectRequest.Builder withChecksum(PutObjectRequest.Builder b, S3Checksum c, byte[] data, int len) {
        switch (c) {
            case CRC32C:
                return b.checksumCRC32C(crc32c(data, len));
            case MD5:
                return b.contentMD5(md5(data, len));
            default:
                return b;
        }
    }

    /** Adds the request checksum of {@code data[0..len)} to a part upload. */
    static UploadPartRequest.Builder withChecksum(UploadPartRequest.Builder b, S3Checksum c, byte[] data, int len) {
        switch (c) {
            case CRC32C:
                return b.checksumCRC32C(crc32c(data, len));
            case MD5:
                return b.contentMD5(md5(data, len));
            default:
                return b;
        }
    }

    /** S3's checksum header value: the CRC32C as 4 big-endian bytes, base64. */
    static String crc32c(byte[] data, int len) {
        CRC32C crc = new CRC32C();
        crc.update(data, 0, len);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static String md5(byte[] data, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("MD5");
            md.update(data, 0, len);
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /** A request body over {@code data[0..len)} that re-reads the array on every retry, without copying it. */
    static RequestBody body(byte[] data, int len) {
        return RequestBody.fromContentProvider(() -> new java.io.ByteArrayInputStream(data, 0, len), len, "application/octet-stream");
    }

    /** Starts a multipart upload declared for {@code checksum}; returns its id. */
    String createMultipartUpload(S3Location loc, S3Checksum checksum) {
        CreateMultipartUploadRequest.Builder b = CreateMultipartUploadRequest.builder().bucket(loc.bucket()).key(loc.key());
        if (checksum == S3Checksum.CRC32C) {
            b.checksumAlgorithm(ChecksumAlgorithm.CRC32_C);
        }
        return call("CreateMultipartUpload", c -> c.createMultipartUpload(b.build())).uploadId();
    }

    /** Uploads one part; returns what the completion needs of it. */
    CompletedPart uploadPart(S3Location loc, String uploadId, int partNumber, S3Checksum checksum, byte[] data, int len) {
        UploadPartRequest.Builder b = UploadPartRequest.builder().bucket(loc.bucket()).key(loc.key()).uploadId(uploadId)
                .partNumber(partNumber).contentLength((long) len);
        withChecksum(b, checksum, data, len);
        String eTag = call("UploadPart", c -> c.uploadPart(b.build(), body(data, len))).eTag();
        CompletedPart.Builder part = CompletedPart.builder().partNumber(partNumber).eTag(eTag);
        if (checksum == S3Checksum.CRC32C) {
            part.checksumCRC32C(crc32c(data, len));
        }
        return part.build();
    }

    /** Completes a multipart upload, with {@code If-None-Match: *} when the file must not be replaced; returns the ETag. */
    String completeMultipartUpload(S3Location loc, String uploadId, List<CompletedPart> parts, boolean ifNoneMatch) {
        CompleteMultipartUploadRequest.Builder b = CompleteMultipartUploadRequest.builder().bucket(loc.bucket()).key(loc.key())
                .uploadId(uploadId).multipartUpload(CompletedMultipartUpload.builder().parts(parts).build());
        if (ifNoneMatch) {
            b.ifNoneMatch("*");
        }
        return call("CompleteMultipartUpload", c -> c.completeMultipartUpload(b.build())).eTag();
    }

    /** Aborts a multipart upload; an upload already gone counts as aborted. */
    void abortMultipartUpload(S3Location loc, String uploadId) throws IOException {
        try {
            call("AbortMultipartUpload", c -> c.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(loc.bucket())
                    .key(loc.key()).uploadId(uploadId).build()));
        } catch (NoSuchUploadException e) {
            // already aborted or completed
        } catch (SdkException | IllegalStateException e) {
            SdkException sdk = e instanceof SdkException ? (SdkException) e : null;
            String reason = sdk != null && S3Errors.isService(sdk) ? "S3 error " + S3Errors.code(sdk) + " (HTTP " + S3Errors.status(sdk) + ")"
                    : String.valueOf(e.getMessage());
            abandoned.add(new AbandonedUpload(loc.bucket(), loc.key(), uploadId, reason));
            String message = "Cannot abort multipart upload " + uploadId + " of " + loc + ": " + loc.describe()
                    + " (expected the store to drop the uploaded parts, found " + reason + "; the parts stay stored and billed: add a"
                    + " lifecycle rule AbortIncompleteMultipartUpload to bucket '" + loc.bucket() + "', or remove them with"
                    + " aws s3api abort-multipart-upload --bucket " + loc.bucket() + " --key '" + loc.key() + "' --upload-id "
                    + uploadId + ")";
            LOG.warn(message);
            throw new S3StorageException(message, loc.bucket(), loc.key(), sdk == null ? null : S3Errors.code(sdk),
                    sdk == null ? 0 : S3Errors.status(sdk), e);
        }
    }

    /**
     * The multipart uploads this storage could not abort, oldest first: their parts stay stored and
     * billed until a lifecycle rule or an operator removes them. Each was logged at WARN when its
     * abort failed, and {@link #close()} logs a summary; core can show the same after a failed
     * checkpoint.
     */
    public List<AbandonedUpload> abandonedUploads() {
        return List.copyOf(abandoned);
    }

    /** Pauses before looking again at an object stored at fewer bytes than were sent: 750 ms in all. */
    private static final long[] SHORT_SIZE_WAITS_MS = {25, 50, 100, 200, 375};

    /**
     * After a commit: a HEAD of the object, whose size must be the bytes sent. A store or proxy that
     * alters bodies (one that keeps the SDK's {@code aws-chunked} framing as data, above all) shows
     * here, at the commit, instead of as a part listed at the wrong size that no wait would fix.
     * The object is removed again, so that no reader ever gets it. A HEAD that finds no object (a
     * store whose reads lag) or an object with another ETag (replaced since) cannot tell, and passes.
     * An object shorter than sent is looked at again a few times within 750 ms first: a store that
     * answers the PUT before all its bytes are stored (s3rver 3.7) shows them a moment later.
     *
     * @throws S3StoredSizeException when the store keeps another size than was sent
     */
    void checkStoredSize(S3Location loc, long sent, String eTag) throws IOException {
        Long stored;
        for (int attempt = 0; ; attempt++) {
            HeadObjectResponse head;
            try {
                head = call("HeadObject", c -> c.headObject(HeadObjectRequest.builder().bucket(loc.bucket()).key(loc.key()).build()));
            } catch (SdkException e) {
                if (S3Errors.isMissingObject(e)) {
                    LOG.debug("Cannot check the stored size of {}: not readable yet", loc);
                    return;
                }
                throw S3Errors.translate("commit", loc, "to read back the size of the object just written", e);
            }
            stored = head.contentLength();
            if (stored == null || stored == sent || eTag != null && head.eTag() != null && !eTag.equals(head.eTag())) {
                return;
            }
            // Fewer bytes than sent may still be arriving: a store that answers the PUT before its bytes are all on its disk
            // (s3rver 3.7) shows them a moment later. A few short looks (under a second in all), never the listing timeout:
            // a store that keeps more bytes (chunk framing) or a proxy that cut the body fails here at once or soon.
            if (stored > sent || attempt == SHORT_SIZE_WAITS_MS.length) {
                break;
            }
            LOG.debug("{} is stored at {} of the {} bytes sent; looking again in {} ms", loc, stored, sent, SHORT_SIZE_WAITS_MS[attempt]);
            try {
                Thread.sleep(SHORT_SIZE_WAITS_MS[attempt]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("Interrupted while checking the stored size of " + loc);
            }
        }
        try {
            call("DeleteObject", c -> c.deleteObject(DeleteObjectRequest.builder().bucket(loc.bucket()).key(loc.key()).build()));
        } catch (SdkException | IllegalStateException e) {
            LOG.warn("Cannot delete {} after finding it stored at the wrong size: {}", loc, e.toString());
        }
        throw new S3StoredSizeException(loc, sent, stored, settings);
    }

    /**
     * The object's metadata, with its stored CRC32C if {@code withChecksum} (where the store keeps
     * one); null when there is no object. For a commit the store refused, to see what is there.
     */
    HeadObjectResponse headForComparison(S3Location loc, boolean withChecksum) throws IOException {
        HeadObjectRequest.Builder b = HeadObjectRequest.builder().bucket(loc.bucket()).key(loc.key());
        if (withChecksum) {
            b.checksumMode(ChecksumMode.ENABLED);
        }
        try {
            return call("HeadObject", c -> c.headObject(b.build()));
        } catch (SdkException e) {
            if (S3Errors.isMissingObject(e)) {
                return null;
            }
            throw S3Errors.translate("commit", loc, "to read back the object the store refused to replace", e);
        }
    }

    /**
     * Whether the object holds exactly {@code data[0..len)}, read with a GET and compared as it
     * streams (no second copy in memory): for a commit the store refused, to see whose object is there.
     */
    boolean holdsExactly(S3Location loc, byte[] data, int len) throws IOException {
        try (ResponseInputStream<GetObjectResponse> in = call("GetObject", c -> c.getObject(GetObjectRequest.builder()
                .bucket(loc.bucket()).key(loc.key()).build()))) {
            byte[] chunk = new byte[64 * 1024];
            int at = 0;
            for (int n; (n = in.read(chunk)) > 0; at += n) {
                if (at + n > len || !java.util.Arrays.equals(chunk, 0, n, data, at, at + n)) {
                    in.abort(); // not this commit's: the rest need not be downloaded
                    return false;
                }
            }
            return at == len;
        } catch (SdkException e) {
            if (S3Errors.isMissingObject(e)) {
                return false;
            }
            throw S3Errors.translate("commit", loc, "to read back the object the store refused to replace", e);
        }
    }

    /** Whether an object exists at the key (HEAD). */
    boolean exists(S3Location loc) throws IOException {
        try {
            call("HeadObject", c -> c.headObject(HeadObjectRequest.builder().bucket(loc.bucket()).key(loc.key()).build()));
            return true;
        } catch (SdkException e) {
            if (S3Errors.isMissingObject(e)) {
                return false;
            }
            throw S3Errors.translate("commit", loc, "to learn whether an object exists at the key", e);
        }
    }

    /** Puts a whole object, with {@code If-None-Match: *} when it must not replace one; returns the ETag. */
    String putObject(S3Location loc, S3Checksum checksum, byte[] data, int len, boolean ifNoneMatch) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(loc.bucket()).key(loc.key()).contentLength((long) len);
        withChecksum(b, checksum, data, len);
        if (ifNoneMatch) {
            b.ifNoneMatch("*");
        }
        return call("PutObject", c -> c.putObject(b.build(), body(data, len))).eTag();
    }

    /**
     * Refuses new requests, waits for those in flight (background deletes, part uploads, aborts)
     * for up to {@link #CLOSE_WAIT} so that none fails on a closed connection pool, then closes the
     * HTTP client; requests still running after that fail. Logs the uploads that could not be
     * aborted. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        uploads.shutdown();
        boolean idle = false;
        try {
            idle = requests.writeLock().tryLock(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!idle) {
            LOG.warn("Closing S3 storage at {} with requests still running after {}: they fail", endpointName(settings), seconds(CLOSE_WAIT));
        }
        uploads.shutdownNow();
        if (!abandoned.isEmpty()) {
            LOG.warn("{} multipart upload(s) could not be aborted and stay stored and billed until a lifecycle rule"
                    + " AbortIncompleteMultipartUpload removes them: {}", abandoned.size(), abandoned);
        }
        client.close();
        if (credentials instanceof AutoCloseable) {
            try {
                ((AutoCloseable) credentials).close();
            } catch (Exception e) {
                LOG.debug("Cannot close the credentials provider", e);
            }
        }
    }

    @Override
    public String toString() {
        return "S3Storage" + settings;
    }
}
