package dev.cairn.storage.s3;

import com.sun.net.httpserver.HttpExchange;
import dev.cairn.testkit.S3Front;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A tiny HTTP proxy in front of a real S3 server that records every request and injects faults
 * into chosen ones: an S3 error answer (503 SlowDown, 403 AccessDenied, 412...), a connection
 * dropped before any answer, a response body cut short, a request body damaged on the way, an
 * answer lost after the server acted, or a HEAD that misstates the object's size. Everything else
 * is forwarded unchanged (by the test kit's {@link S3Front}), so the server behind still decides
 * what S3 does, except that the proxy can {@linkplain #enforceIfNoneMatch enforce} {@code
 * If-None-Match: *} as AWS S3 does, which S3Proxy 2.6 ignores.
 *
 * <p>The server behind must run without authentication: forwarded requests carry the client's
 * signature for the proxy's host.
 */
final class FaultProxy extends S3Front {
    private enum Kind { ERROR, DROP, TRUNCATE_RESPONSE, DAMAGE_REQUEST, DELAY, RESET_REQUEST, OK_WITH_ERROR, LOSE_RESPONSE, MISSTATE_SIZE }

    private record Fault(Predicate<Request> when, AtomicInteger remaining, Kind kind, int status, String code, long amount,
                         Map<String, String> headers) {
        Fault(Predicate<Request> when, AtomicInteger remaining, Kind kind, int status, String code, long amount) {
            this(when, remaining, kind, status, code, amount, Map.of());
        }
    }

    private final List<Fault> faults = Collections.synchronizedList(new ArrayList<>());
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean enforceIfNoneMatch;

    FaultProxy(URI backend) throws IOException {
        super(backend, "fault-proxy");
        start();
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
     * Answers the next {@code times} matching HEADs that find an object with the object's stored
     * size plus {@code difference} bytes as its {@code Content-Length} (negative: fewer), the rest
     * of the answer (status, ETag) unchanged: a store that shows a size other than it holds, such as
     * one still writing the object to its disk, or one that kept more than it was sent. A HEAD that
     * finds nothing (404) is passed on and not counted.
     */
    void misstateSize(Predicate<Request> when, int times, long difference) {
        faults.add(new Fault(r -> r.isHeadObject() && when.test(r), new AtomicInteger(times), Kind.MISSTATE_SIZE, 0, null,
                difference));
    }

    /**
     * From now on (until {@code false}), a PUT of an object or a CompleteMultipartUpload with
     * {@code If-None-Match: *} whose key the server already holds is answered {@code 412
     * PreconditionFailed} without forwarding it, as AWS S3 and MinIO answer it; conditional writes
     * of one key are checked and forwarded one at a time, so the refusal is atomic. A fault that
     * acts on the answer (lost, cut) acts on the refusal too. Not reset by {@link #reset()}.
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

    /** The first fault with turns left that matches: one that acts on the answer's size ({@code ofSize}) or another. */
    private Fault take(Request r, boolean ofSize) {
        synchronized (faults) {
            for (Fault f : faults) {
                if ((f.kind() == Kind.MISSTATE_SIZE) == ofSize && f.remaining().get() > 0 && f.when().test(r)) {
                    f.remaining().decrementAndGet();
                    return f;
                }
            }
        }
        return null;
    }

    @Override
    protected void handle(HttpExchange ex, Request request) throws IOException, InterruptedException {
        requests.add(request);
        Fault fault = take(request, false);
        Kind kind = fault == null ? null : fault.kind();
        if (kind == Kind.RESET_REQUEST) {
            ex.getRequestBody().readNBytes((int) fault.amount());
            ex.close(); // the unread rest of the body makes the close a reset
            return;
        }
        byte[] body = ex.getRequestBody().readAllBytes();
        if (kind == Kind.DROP) {
            ex.close(); // no answer at all: the connection goes away
            return;
        }
        if (kind == Kind.ERROR || kind == Kind.OK_WITH_ERROR) {
            reply(ex, request, error(fault.status(), fault.code(), "injected by the test", fault.headers()));
            return;
        }
        if (kind == Kind.DELAY) {
            Thread.sleep(fault.amount());
        }
        if (kind == Kind.DAMAGE_REQUEST && body.length > 0) {
            body[body.length / 2] ^= 0x01;
        }
        Answer answer = forward(request, body, enforceIfNoneMatch);
        if (kind == Kind.LOSE_RESPONSE) {
            ex.close(); // the server has acted on the request; its answer goes nowhere
            return;
        }
        Fault misstate = answer.status() == 200 && answer.header("Content-Length") != null ? take(request, true) : null;
        if (misstate != null) {
            long stored = Long.parseLong(answer.header("Content-Length"));
            answer = answer.withHeader("Content-Length", Long.toString(stored + misstate.amount()));
        }
        reply(ex, request, answer, kind == Kind.TRUNCATE_RESPONSE ? (int) fault.amount() : -1);
    }
}
