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
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP front on 127.0.0.1 before an S3 server: it takes each request, and a subclass decides
 * what to do with it, mostly {@linkplain #forward forward} it to the server behind and
 * {@linkplain #reply pass the answer on}, and what to do around that (hold it, count it, damage it,
 * lose the answer). {@link LatencyFront} and storage-s3's fault-injecting front are the two kinds.
 *
 * <p>The server behind must accept any signature (S3Proxy with authentication {@code none}): the
 * client signs for the front's host, and the front passes the request on unchanged, signature and
 * all. It is not a general HTTP proxy: request and answer bodies are held in memory whole.
 *
 * <p>It can also {@linkplain #forward(Request, byte[], boolean) enforce} {@code If-None-Match: *}
 * as AWS S3 and MinIO do, which S3Proxy 2.6 ignores: a PUT of an object or a
 * CompleteMultipartUpload with that header whose key the server already holds is answered {@code
 * 412 PreconditionFailed} without reaching the server. The front asks with a HEAD of its own
 * (straight to the server, not through the front), and checks and forwards the conditional writes
 * of one key one at a time, so that of two racing ones exactly one wins.
 *
 * <p>Thread safety: requests are handled on a pool of daemon threads, as many at once as arrive;
 * subclasses keep their own state thread-safe. {@link #close()} stops the front at once, dropping
 * the requests in flight.
 */
public abstract class S3Front implements AutoCloseable {
    /**
     * A request as the front received it (its body is read by the subclass, which may read only
     * part of it). Header names are lower case; {@code nanos} is when it arrived ({@link System#nanoTime()}).
     */
    public record Request(String method, String rawPath, String rawQuery, Map<String, String> headers, long nanos) {
        /** The header's value (several values joined with commas), or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** Whether the query names the parameter, with or without a value. */
        public boolean hasQueryParameter(String name) {
            if (rawQuery == null) {
                return false;
            }
            for (String p : rawQuery.split("&")) {
                if (p.equals(name) || p.startsWith(name + "=")) {
                    return true;
                }
            }
            return false;
        }

        /** A PUT of a whole object: not a part upload (a copy, made by a PUT too, counts). */
        public boolean isPutObject() {
            return method.equals("PUT") && !hasQueryParameter("uploadId") && !hasQueryParameter("partNumber");
        }

        public boolean isUploadPart() {
            return method.equals("PUT") && hasQueryParameter("partNumber");
        }

        /** A CompleteMultipartUpload. */
        public boolean isComplete() {
            return method.equals("POST") && hasQueryParameter("uploadId");
        }

        /** A GET of an object: not a listing of objects or of uploads. */
        public boolean isGetObject() {
            return method.equals("GET") && !hasQueryParameter("list-type") && !hasQueryParameter("uploads")
                    && rawPath.indexOf('/', 1) > 0;
        }

        /** A HEAD of an object (not of a bucket). */
        public boolean isHeadObject() {
            return method.equals("HEAD") && rawPath.indexOf('/', 1) > 0 && rawPath.indexOf('/', 1) < rawPath.length() - 1;
        }

        /** Whether the object key (the path after the bucket) contains {@code text}. */
        public boolean keyContains(String text) {
            return rawPath.indexOf('/', 1) > 0 && rawPath.substring(rawPath.indexOf('/', 1)).contains(text);
        }

        /** A write that S3 refuses over an existing object: a PUT of an object or a completion with {@code If-None-Match: *}. */
        public boolean isConditionalWrite() {
            return (isPutObject() || isComplete()) && "*".equals(header("If-None-Match"));
        }
    }

    /**
     * An answer of the server behind (or one the front makes up), to pass on with {@link #reply}.
     * Header names compare ignoring case; for a HEAD, {@code Content-Length} is what the client sees
     * as the object's size.
     */
    public record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        public Answer {
            Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            copy.putAll(headers);
            headers = Collections.unmodifiableMap(copy);
        }

        /** The header's first value, or null. */
        public String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? null : values.get(0);
        }

        /** This answer with the header set to the one value. */
        public Answer withHeader(String name, String value) {
            Map<String, List<String>> changed = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            changed.putAll(headers);
            changed.put(name, List.of(value));
            return new Answer(status, changed, body);
        }
    }

    /** Headers of the connection between two hops, which the forwarding connection sets itself. */
    private static final Set<String> HOP_REQUEST_HEADERS = Set.of("host", "connection", "content-length", "transfer-encoding",
            "expect", "keep-alive");
    private static final Set<String> HOP_RESPONSE_HEADERS = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "date");

    private final URI backend;
    private final HttpServer server;
    private final ExecutorService threads;
    /** Conditional writes of keys with the same stripe are checked and forwarded one at a time. */
    private final Object[] keyStripes = new Object[256];

    /**
     * A front on a free loopback port before {@code backend}, not yet taking requests: the
     * subclass calls {@link #start()} at the end of its constructor, once its own state is ready.
     *
     * @param threadName the name of the threads that handle requests, numbered
     */
    protected S3Front(URI backend, String threadName) throws IOException {
        this.backend = backend;
        for (int i = 0; i < keyStripes.length; i++) {
            keyStripes[i] = new Object();
        }
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.createContext("/", this::receive);
        server.setExecutor(threads);
    }

    /** Starts taking requests. */
    protected final void start() {
        server.start();
    }

    /** Where clients send their requests: {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Handles one request: reads its body (all or part), and answers it or closes the exchange.
     * An exception closes the exchange without an answer (the client sees the connection go).
     */
    protected abstract void handle(HttpExchange exchange, Request request) throws IOException, InterruptedException;

    private void receive(HttpExchange ex) {
        try {
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            URI uri = ex.getRequestURI();
            handle(ex, new Request(ex.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), headers, System.nanoTime()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        } catch (IOException | RuntimeException e) {
            ex.close();
        }
    }

    /** Sends the request, with {@code body}, to the server behind and returns its answer, read whole. */
    protected final Answer forward(Request request, byte[] body) throws IOException {
        String target = backend + request.rawPath() + (request.rawQuery() == null ? "" : "?" + request.rawQuery());
        HttpURLConnection c = (HttpURLConnection) new URL(target).openConnection();
        c.setInstanceFollowRedirects(false);
        c.setRequestMethod(request.method());
        request.headers().forEach((k, v) -> {
            if (!HOP_REQUEST_HEADERS.contains(k)) {
                c.setRequestProperty(k, v);
            }
        });
        if (request.method().equals("PUT") || request.method().equals("POST")) {
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
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        c.getHeaderFields().forEach((k, v) -> {
            if (k != null) {
                headers.put(k, v);
            }
        });
        return new Answer(status, headers, answer);
    }

    /**
     * As {@link #forward(Request, byte[])}; with {@code enforceIfNoneMatch}, a
     * {@linkplain Request#isConditionalWrite() conditional write} over an object the server holds
     * is not forwarded but answered {@code 412 PreconditionFailed}, as AWS S3 answers it.
     */
    protected final Answer forward(Request request, byte[] body, boolean enforceIfNoneMatch) throws IOException {
        if (!enforceIfNoneMatch || !request.isConditionalWrite()) {
            return forward(request, body);
        }
        synchronized (keyStripes[Math.floorMod(request.rawPath().hashCode(), keyStripes.length)]) {
            if (exists(request.rawPath())) {
                return error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                        Map.of());
            }
            return forward(request, body);
        }
    }

    /** Whether the server holds the object at {@code rawPath}: a HEAD of its own, unsigned, straight to the server. */
    private boolean exists(String rawPath) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(backend + rawPath).openConnection();
        c.setRequestMethod("HEAD");
        int status = c.getResponseCode();
        if (status != 200 && status != 404) {
            throw new IOException("HEAD " + rawPath + " answered " + status);
        }
        return status == 200;
    }

    /** An S3 error document with {@code code}, {@code message} and extra response headers (e.g. {@code Retry-After}). */
    protected static Answer error(int status, String code, String message, Map<String, String> headers) {
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>cairn-test-front</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.put("Content-Type", List.of("application/xml"));
        headers.forEach((k, v) -> h.put(k, List.of(v)));
        return new Answer(status, h, xml);
    }

    /** Passes the answer on to the client and ends the exchange. A HEAD gets the answer's {@code Content-Length} and no body. */
    protected static void reply(HttpExchange ex, Request request, Answer answer) throws IOException {
        reply(ex, request, answer, -1);
    }

    /**
     * As {@link #reply(HttpExchange, Request, Answer)}, but announces the whole body and sends only
     * its first {@code sendBytes} (when fewer than the body), then drops the connection: the client
     * sees a body that ends early. Throws an {@link IOException} after such a cut.
     */
    protected static void reply(HttpExchange ex, Request request, Answer answer, int sendBytes) throws IOException {
        answer.headers().forEach((k, v) -> {
            if (!HOP_RESPONSE_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
                ex.getResponseHeaders().put(k, v);
            }
        });
        byte[] body = answer.body();
        if (request.method().equals("HEAD")) {
            String length = answer.header("Content-Length");
            if (length != null) {
                ex.getResponseHeaders().set("Content-Length", length);
            }
            ex.sendResponseHeaders(answer.status(), -1);
        } else if (body.length == 0) {
            ex.sendResponseHeaders(answer.status(), -1);
        } else {
            ex.sendResponseHeaders(answer.status(), body.length);
            OutputStream out = ex.getResponseBody();
            if (sendBytes >= 0 && sendBytes < body.length) {
                out.write(body, 0, sendBytes);
                out.flush();
                // Closing under the announced length makes the JDK server drop the connection.
                throw new IOException("answer cut after " + sendBytes + " of " + body.length + " bytes on purpose");
            }
            out.write(body);
        }
        ex.close();
    }

    /** Stops taking requests and drops those in flight. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
