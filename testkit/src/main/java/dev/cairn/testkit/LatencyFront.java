package dev.cairn.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * conditional writes of one key one at a time, so that of two racing ones exactly one wins.
 */
public final class LatencyFront implements AutoCloseable {
    /** What a request does, as far as the counts go. */
    public enum Kind {
        LIST, GET, HEAD, PUT, UPLOAD_PART, POST, DELETE, OTHER
    }

    private static final Set<String> HOP_REQUEST_HEADERS = Set.of("host", "connection", "content-length", "transfer-encoding",
            "expect", "keep-alive");
    private static final Set<String> HOP_RESPONSE_HEADERS = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "date");

    private final URI backend;
    private final long latencyMillis;
    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<Kind, LongAdder> counts = new EnumMap<>(Kind.class);
    /** Time the server behind took to answer, by kind: what the front adds nothing to. */
    private final Map<Kind, LongAdder> backendNanos = new EnumMap<>(Kind.class);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final boolean enforceIfNoneMatch;
    /** Conditional writes of keys with the same stripe are checked and forwarded one at a time. */
    private final Object[] keyStripes = new Object[256];

    /** A front that passes {@code If-None-Match} on to the server behind, which decides (S3Proxy 2.6: ignores it). */
    public LatencyFront(URI backend, long latencyMillis) throws IOException {
        this(backend, latencyMillis, false);
    }

    /**
     * A front that holds every request {@code latencyMillis}; with {@code enforceIfNoneMatch}, it
     * refuses conditional writes over existing objects itself, as AWS S3 does.
     */
    public LatencyFront(URI backend, long latencyMillis, boolean enforceIfNoneMatch) throws IOException {
        this.backend = backend;
        this.latencyMillis = latencyMillis;
        this.enforceIfNoneMatch = enforceIfNoneMatch;
        for (int i = 0; i < keyStripes.length; i++) {
            keyStripes[i] = new Object();
        }
        for (Kind k : Kind.values()) {
            counts.put(k, new LongAdder());
            backendNanos.put(k, new LongAdder());
        }
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "latency-front-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
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

    private void handle(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        peakInFlight.accumulateAndGet(now, Math::max);
        try {
            URI uri = ex.getRequestURI();
            Kind kind = kind(ex.getRequestMethod(), uri.getRawPath(), uri.getRawQuery());
            counts.get(kind).increment();
            byte[] body = ex.getRequestBody().readAllBytes();
            Thread.sleep(latencyMillis);
            long start = System.nanoTime();
            if (enforceIfNoneMatch && (kind == Kind.PUT || kind == Kind.POST && query(uri).contains("uploadId="))
                    && "*".equals(ex.getRequestHeaders().getFirst("If-None-Match"))) {
                synchronized (keyStripes[Math.floorMod(uri.getRawPath().hashCode(), keyStripes.length)]) {
                    if (exists(uri)) {
                        refuse(ex);
                    } else {
                        forward(ex, uri, body);
                    }
                }
            } else {
                forward(ex, uri, body);
            }
            backendNanos.get(kind).add(System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        } catch (IOException | RuntimeException e) {
            ex.close();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static String query(URI uri) {
        return uri.getRawQuery() == null ? "" : uri.getRawQuery();
    }

    /** Whether the server holds the object at the request's path. */
    private boolean exists(URI uri) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(backend + uri.getRawPath()).openConnection();
        c.setRequestMethod("HEAD");
        int status = c.getResponseCode();
        if (status != 200 && status != 404) {
            throw new IOException("HEAD " + uri.getRawPath() + " answered " + status);
        }
        return status == 200;
    }

    /** S3's answer to a conditional write over an existing object. */
    private static void refuse(HttpExchange ex) throws IOException {
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>PreconditionFailed</Code><Message>At least one of"
                + " the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition>"
                + "<RequestId>latency-front</RequestId></Error>").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/xml");
        ex.sendResponseHeaders(412, xml.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(xml);
        }
        ex.close();
    }

    private void forward(HttpExchange ex, URI uri, byte[] body) throws IOException {
        String method = ex.getRequestMethod();
        URL target = new URL(backend + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        HttpURLConnection c = (HttpURLConnection) target.openConnection();
        c.setInstanceFollowRedirects(false);
        c.setRequestMethod(method);
        for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
            if (!HOP_REQUEST_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                c.setRequestProperty(h.getKey(), String.join(",", h.getValue()));
            }
        }
        if (method.equals("PUT") || method.equals("POST")) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int status = c.getResponseCode();
        byte[] answer;
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            answer = in == null ? new byte[0] : in.readAllBytes();
        }
        for (Map.Entry<String, List<String>> h : c.getHeaderFields().entrySet()) {
            if (h.getKey() != null && !HOP_RESPONSE_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                ex.getResponseHeaders().put(h.getKey(), h.getValue());
            }
        }
        if (method.equals("HEAD")) {
            String length = c.getHeaderField("Content-Length");
            if (length != null) {
                ex.getResponseHeaders().set("Content-Length", length);
            }
            ex.sendResponseHeaders(status, -1);
        } else if (answer.length == 0) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, answer.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer);
            }
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
