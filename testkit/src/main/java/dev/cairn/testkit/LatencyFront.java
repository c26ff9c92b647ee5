package dev.cairn.testkit;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An HTTP front on 127.0.0.1 that holds every request for a fixed latency before passing it to an
 * S3 server behind it, and counts the requests by kind. It stands for the round trip to a distant
 * store: each request costs at least {@code latency}, however small, so the time of a checkpoint
 * of many small parts is set by how many requests it makes and how many it keeps in flight.
 *
 * <p>The server behind must accept any signature (S3Proxy with authentication {@code none}): the
 * client signs for the front's host.
 *
 * <p>Built with {@code enforceIfNoneMatch}, the front refuses a PUT of an object or a
 * CompleteMultipartUpload with {@code If-None-Match: *} whose key the server already holds with
 * {@code 412 PreconditionFailed}, as AWS S3 and MinIO do (S3Proxy 2.6 ignores the header). It
 * asks the server with a HEAD of its own, not counted and not held, and checks and forwards the
 * conditional writes of one key one at a time, so that of two racing ones exactly one wins (see
 * {@link S3Front}, which does the forwarding).
 */
public final class LatencyFront extends S3Front {
    /** What a request does, as far as the counts go. */
    public enum Kind {
        LIST, GET, HEAD, PUT, UPLOAD_PART, POST, DELETE, OTHER
    }

    private final long latencyMillis;
    private final Map<Kind, LongAdder> counts = new EnumMap<>(Kind.class);
    /** Time the server behind took to answer, by kind: what the front adds nothing to. */
    private final Map<Kind, LongAdder> backendNanos = new EnumMap<>(Kind.class);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final boolean enforceIfNoneMatch;

    /** A front that passes {@code If-None-Match} on to the server behind, which decides (S3Proxy 2.6: ignores it). */
    public LatencyFront(URI backend, long latencyMillis) throws IOException {
        this(backend, latencyMillis, false);
    }

    /**
     * A front that holds every request {@code latencyMillis}; with {@code enforceIfNoneMatch}, it
     * refuses conditional writes over existing objects itself, as AWS S3 does.
     */
    public LatencyFront(URI backend, long latencyMillis, boolean enforceIfNoneMatch) throws IOException {
        super(backend, "latency-front");
        this.latencyMillis = latencyMillis;
        this.enforceIfNoneMatch = enforceIfNoneMatch;
        for (Kind k : Kind.values()) {
            counts.put(k, new LongAdder());
            backendNanos.put(k, new LongAdder());
        }
        start();
    }

    /** The counts so far, by kind. */
    public Map<Kind, Long> counts() {
        Map<Kind, Long> out = new EnumMap<>(Kind.class);
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Mean time the server behind took per request of each kind so far, in ms (forwarding and answering included). */
    public Map<Kind, Double> backendMillisPerRequest() {
        Map<Kind, Double> out = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            long n = counts.get(k).sum();
            if (n > 0) {
                out.put(k, backendNanos.get(k).sum() / 1e6 / n);
            }
        }
        return out;
    }

    /** The most requests held or forwarded at once so far; {@link #resetPeak()} starts again. */
    public int peakInFlight() {
        return peakInFlight.get();
    }

    public void resetPeak() {
        peakInFlight.set(inFlight.get());
    }

    static Kind kind(String method, String rawPath, String rawQuery) {
        String query = rawQuery == null ? "" : rawQuery;
        boolean objectKey = rawPath.indexOf('/', 1) > 0 && rawPath.indexOf('/', 1) < rawPath.length() - 1;
        switch (method) {
            case "GET":
                return query.contains("list-type") || !objectKey ? Kind.LIST : Kind.GET;
            case "HEAD":
                return Kind.HEAD;
            case "PUT":
                return query.contains("partNumber") ? Kind.UPLOAD_PART : Kind.PUT;
            case "POST":
                return Kind.POST;
            case "DELETE":
                return Kind.DELETE;
            default:
                return Kind.OTHER;
        }
    }

    @Override
    protected void handle(HttpExchange ex, Request request) throws IOException, InterruptedException {
        int now = inFlight.incrementAndGet();
        peakInFlight.accumulateAndGet(now, Math::max);
        try {
            Kind kind = kind(request.method(), request.rawPath(), request.rawQuery());
            counts.get(kind).increment();
            byte[] body = ex.getRequestBody().readAllBytes();
            Thread.sleep(latencyMillis);
            long start = System.nanoTime();
            reply(ex, request, forward(request, body, enforceIfNoneMatch));
            backendNanos.get(kind).add(System.nanoTime() - start);
        } finally {
            inFlight.decrementAndGet();
        }
    }
}
