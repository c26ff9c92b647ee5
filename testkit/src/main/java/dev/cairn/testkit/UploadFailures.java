package dev.cairn.testkit;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Upload failures armed by {@link S3ProxyServer#failUploads}: counts the failures it served. */
public final class UploadFailures {
    private final Predicate<String> keys;
    private final AtomicInteger left;
    private final AtomicInteger served = new AtomicInteger();

    UploadFailures(Predicate<String> keys, int times) {
        this.keys = keys;
        this.left = new AtomicInteger(times);
    }

    /** How many uploads failed so far. */
    public int served() {
        return served.get();
    }

    void maybeFail(String operation, String key) {
        if (keys.test(key) && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            served.incrementAndGet();
            throw new IllegalStateException("injected failure of " + operation + " " + key);
        }
    }
}
