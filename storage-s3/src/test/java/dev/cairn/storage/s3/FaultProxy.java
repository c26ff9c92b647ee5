package dev.cairn.storage.s3;

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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A tiny HTTP proxy in front of a real S3 server that records every request and injects faults
 * into chosen ones: an S3 error answer (503 SlowDown, 403 AccessDenied, 412...), a connection
 * dropped before any answer, a response body cut short, or a request body damaged on the way.
 * Everything else is forwarded unchanged, so the server behind still decides what S3 does, except
 * that the proxy can {@linkplain #enforceIfNoneMatch enforce} {@code If-None-Match: *} as AWS S3
 * does, which S3Proxy 2.6 ignores.
 *
 * <p>The server behind must run without authentication: forwarded requests carry the client's
 * signature for the proxy's host.
 */
final class FaultProxy implements AutoCloseable {
    /** A recorded request; {@code nanos} is when it arrived ({@link System#nanoTime()}). Header names are lower case. */
    record Request(String method, String rawPath, String rawQuery, Map<String, String> headers, long nanos) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        boolean hasQueryParameter(String name) {
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

        /** A PUT of a whole object: not a part upload, not a copy. */
        boolean isPutObject() {
            return method.equals("PUT") && !hasQueryParameter("uploadId") && !hasQueryParameter("partNumber");
        }

        boolean isUploadPart() {
            return method.equals("PUT") && hasQueryParameter("partNumber");
        }

        boolean isComplete() {
            return method.equals("POST") && hasQueryParameter("uploadId");
        }

        /** Whether the object key (the path after the bucket) contains {@code text}. */
        boolean keyContains(String text) {
            return rawPath.indexOf('/', 1) > 0 && rawPath.substring(rawPath.indexOf('/', 1)).contains(text);
        }

        boolean isGetObject() {
            return method.equals("GET") && !hasQueryParameter("list-type") && !hasQueryParameter("uploads")
                    && rawPath.indexOf('/', 1) > 0;
        }
    }

    private enum Kind { ERROR, DROP, TRUNCATE_RESPONSE, DAMAGE_REQUEST, DELAY, RESET_REQUEST, OK_WITH_ERROR, LOSE_RESPONSE }

    private record Fault(Predicate<Request> when, AtomicInteger remaining, Kind kind, int status, String code, int bytes,
                         Map<String, String> headers) {
        Fault(Predicate<Request> when, AtomicInteger remaining, Kind kind, int status, String code, int bytes) {
            this(when, remaining, kind, status, code, bytes, Map.of());
        }
    }

    private static final Set<String> SKIPPED_REQUEST_HEADERS = Set.of("host", "connection", "content-length", "transfer-encoding",
            "expect", "keep-alive");
    private static final Set<String> SKIPPED_RESPONSE_HEADERS = Set.of("content-length", "transfer-encoding", "connection",
            "keep-alive", "date");

    private final URI backend;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean enforceIfNoneMatch;
    /** Held from the existence check of a conditional write to its end, so that of two racing ones exactly one wins. */
    private final Object conditionalWrites = new Object();

    FaultProxy(URI backend) throws IOException {
        this.backend = backend;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers the next {@code times} matching requests with an S3 error document. */
    void failWith(Predicate<Request> when, int times, int status, String code) {
        faults.add(new Fault(when, new AtomicInteger(times), Kind.ERROR, status, code, 0));
    }

    /** As {@link #failWith(Predicate, int, int, String)}, with extra response headers (e.g. {@code Retry-After}). */
    void failWith(Predicate<Request> when, int times, int status, String code, Map<String, String> headers) {
        faults.add(new Fault(when, new AtomicInteger(times), Kind.ERROR, status, code, 0, Map.copyOf(headers)));
    }

    /**
     * Reads only the first {@code bytes} of the body of the next {@code times} matching requests
     * and closes the connection with the rest unread, which makes the kernel reset it: the
     * client sees "connection reset" or "broken pipe" in the middle of its upload, and the server
     * behind never hears of the request.
     */
    void resetMidRequest(Predicate<Request> when, int times, int bytes) {
        faults.add(new Fault(when, new AtomicInteger(times), Kind.RESET_REQUEST, 0, null, bytes));
    }

    /**
     * Answers the next {@code times} matching requests with {@code 200 OK} and an S3 error
     * document as the body, without forwarding them: what S3 does when a
     * CompleteMultipartUpload fails after it started sending its answer.
     */
    void okWithErrorBody(Predicate<Request> when, int times, String code) {
        faults.add(new Fault(when, new AtomicInteger(times), Kind.OK_WITH_ERROR, 200, code, 0));
    }

    /** Closes the connection of the next {@code times} matching requests without an answer. */
    void drop(Predicate<Request> when, int times) {
        faults.add(new Fault(when, new AtomicInteger(times), Kind.DROP, 0, null, 0));
    }

    /** Forwards the next matching request but sends only the first {@code bytes} of the body it announced. */
    void truncateResponse(Predicate<Request> when, int bytes) {
        truncateResponse(when, 1, bytes);
    }

    /** As {@link #truncateResponse(Predicate, int)}, for the next {@code times} matching requests. */
    void truncateResponse(Predicate<Request> when, int times, int bytes) {
        faults.add(new Fault(when, new AtomicInteger(times), Kind.TRUNCATE_RESPONSE, 0, null, bytes));
    }

    /** Flips one byte in the middle of the body of the next matching request before forwarding it. */
    void damageRequest(Predicate<Request> when) {
        faults.add(new Fault(when, new AtomicInteger(1), Kind.DAMAGE_REQUEST, 0, null, 0));
    }

    /** Holds the next matching request for {@code millis} before forwarding it. */
    void delay(Predicate<Request> when, int millis) {
        faults.add(new Fault(when, new AtomicInteger(1), Kind.DELAY, 0, null, millis));
    }

    /**
     * Forwards the next {@code times} matching requests to the server, then closes the connection
     * without passing on its answer: the request took effect, and the client, having no answer,
     * sends it again.
     */
    void loseResponse(Predicate<Request> when, int times) {
        faults.add(new Fault(when, new AtomicInteger(times), Kind.LOSE_RESPONSE, 0, null, 0));
    }

    /**
     * From now on (until {@code false}), a PUT of an object or a CompleteMultipartUpload with
     * {@code If-None-Match: *} whose key the server already holds is answered {@code 412
     * PreconditionFailed} without forwarding it, as AWS S3 and MinIO answer it; conditional writes
     * are checked and forwarded one at a time, so the refusal is atomic. Not reset by {@link #reset()}.
     */
    void enforceIfNoneMatch(boolean on) {
        this.enforceIfNoneMatch = on;
    }

    /** Every request so far, in arrival order. */
    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The requests so far that match. */
    List<Request> requests(Predicate<Request> which) {
        return requests().stream().filter(which).toList();
    }

    void reset() {
        faults.clear();
        requests.clear();
    }

    private Fault take(Request r) {
        synchronized (faults) {
            for (Fault f : faults) {
                if (f.remaining().get() > 0 && f.when().test(r)) {
                    f.remaining().decrementAndGet();
                    return f;
                }
            }
        }
        return null;
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            Map<String, String> headers = new TreeMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            URI uri = ex.getRequestURI();
            Request request = new Request(ex.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(), headers, System.nanoTime());
            requests.add(request);
            Fault fault = take(request);
            if (fault != null && fault.kind() == Kind.RESET_REQUEST) {
                ex.getRequestBody().readNBytes(fault.bytes());
                ex.close(); // the unread rest of the body makes the close a reset
                return;
            }
            byte[] body = ex.getRequestBody().readAllBytes();
            if (fault != null && fault.kind() == Kind.DROP) {
                ex.close(); // no answer at all: the connection goes away
                return;
            }
            if (fault != null && (fault.kind() == Kind.ERROR || fault.kind() == Kind.OK_WITH_ERROR)) {
                sendError(ex, request, fault.status(), fault.code(), fault.headers());
                return;
            }
            if (fault != null && fault.kind() == Kind.DELAY) {
                try {
                    Thread.sleep(fault.bytes());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (fault != null && fault.kind() == Kind.DAMAGE_REQUEST && body.length > 0) {
                body[body.length / 2] ^= 0x01;
            }
            int truncateAt = fault != null && fault.kind() == Kind.TRUNCATE_RESPONSE ? fault.bytes() : -1;
            boolean lose = fault != null && fault.kind() == Kind.LOSE_RESPONSE;
            if (enforceIfNoneMatch && (request.isPutObject() || request.isComplete()) && "*".equals(request.header("If-None-Match"))) {
                synchronized (conditionalWrites) {
                    if (exists(request)) {
                        sendError(ex, request, 412, "PreconditionFailed", Map.of());
                        return;
                    }
                    forward(ex, request, body, truncateAt, lose);
                }
                return;
            }
            forward(ex, request, body, truncateAt, lose);
        } catch (IOException | RuntimeException e) {
            ex.close();
        }
    }

    private static void sendError(HttpExchange ex, Request request, int status, String code, Map<String, String> headers)
            throws IOException {
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>injected by"
                + " the test</Message><RequestId>fault-proxy</RequestId></Error>").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/xml");
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        if (request.method().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, xml.length);
            ex.getResponseBody().write(xml);
        }
        ex.close();
    }

    /** Whether the server holds the object the request names (a HEAD of its path, signature-free). */
    private boolean exists(Request request) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(backend + request.rawPath()).openConnection();
        c.setRequestMethod("HEAD");
        int status = c.getResponseCode();
        c.disconnect();
        if (status != 200 && status != 404) {
            throw new IOException("HEAD " + request.rawPath() + " answered " + status);
        }
        return status == 200;
    }

    private void forward(HttpExchange ex, Request request, byte[] body, int truncateAt, boolean loseAnswer) throws IOException {
        String target = backend + request.rawPath() + (request.rawQuery() == null ? "" : "?" + request.rawQuery());
        HttpURLConnection c = (HttpURLConnection) new URL(target).openConnection();
        c.setInstanceFollowRedirects(false);
        c.setRequestMethod(request.method());
        request.headers().forEach((k, v) -> {
            if (!SKIPPED_REQUEST_HEADERS.contains(k)) {
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
        if (loseAnswer) {
            ex.close(); // the server has acted on the request; its answer goes nowhere
            return;
        }
        c.getHeaderFields().forEach((k, v) -> {
            if (k != null && !SKIPPED_RESPONSE_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
                ex.getResponseHeaders().put(k, v);
            }
        });
        if (request.method().equals("HEAD")) {
            String length = c.getHeaderField("Content-Length");
            if (length != null) {
                ex.getResponseHeaders().set("Content-Length", length);
            }
            ex.sendResponseHeaders(status, -1);
        } else if (answer.length == 0) {
            ex.sendResponseHeaders(status, -1);
        } else {
            ex.sendResponseHeaders(status, answer.length);
            OutputStream out = ex.getResponseBody();
            if (truncateAt >= 0 && truncateAt < answer.length) {
                out.write(answer, 0, truncateAt);
                out.flush();
                // Closing under the announced length makes the JDK server drop the connection:
                // the client sees a body that ends early.
                throw new IOException("truncated on purpose");
            }
            out.write(answer);
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
