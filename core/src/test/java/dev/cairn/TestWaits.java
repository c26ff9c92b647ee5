package dev.cairn;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting in tests for a condition that gives no notification, within a deadline (never a fixed sleep). */
public final class TestWaits {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private TestWaits() {
    }

    /**
     * Waits for {@code condition}, collecting garbage between polls: deferred checkpoint
     * deletions run on the cleaner thread once their dataset is unreachable.
     */
    public static void awaitAfterGc(BooleanSupplier condition, String what) {
        poll(condition, what, 20, true);
    }

    /** Waits for {@code condition}, polling every few milliseconds. */
    public static void await(BooleanSupplier condition, String what) {
        poll(condition, what, 5, false);
    }

    private static void poll(BooleanSupplier condition, String what, long intervalMillis, boolean gc) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out waiting for: " + what);
            }
            if (gc) {
                System.gc();
            }
            try {
                Thread.sleep(intervalMillis); // poll interval for a condition that has no notification
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for: " + what);
            }
        }
    }
}
