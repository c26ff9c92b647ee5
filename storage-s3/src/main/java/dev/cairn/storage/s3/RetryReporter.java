package dev.cairn.storage.s3;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Says at WARN, naming the endpoint, when the SDK retries a request whose previous attempt got no
 * answer at all (a timeout, a refused or dropped connection): a user waiting on a silent store
 * learns what is going on while it happens, not only when the operation's deadline ends it.
 * Retries after an answer (throttling, 5xx) are routine and logged at DEBUG.
 *
 * <p>Thread-safe: its state lives in each execution's attributes; one execution's attempts run
 * one after another.
 */
final class RetryReporter implements ExecutionInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(S3Storage.class);
    /** Per execution: attempts begun, start time, whether the last attempt got an answer. */
    private static final ExecutionAttribute<long[]> STATE = new ExecutionAttribute<>("cairn.s3.attempts");

    private final String endpoint;
    private final int maxAttempts;

    RetryReporter(String endpoint, int maxAttempts) {
        this.endpoint = endpoint;
        this.maxAttempts = maxAttempts;
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        attributes.putAttribute(STATE, new long[] {0, System.nanoTime(), 1});
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        long[] state = attributes.getAttribute(STATE);
        if (state == null) {
            return;
        }
        state[0]++;
        if (state[0] > 1) {
            String what = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + " " + target(context.request());
            String spent = S3Storage.seconds(Duration.ofNanos(System.nanoTime() - state[1]));
            if (state[2] == 0) {
                LOG.warn("No answer from the S3 store at {} to {} on attempt {} of {} ({} so far); retrying", endpoint, what,
                        state[0] - 1, maxAttempts, spent);
            } else {
                LOG.debug("Retrying {} at {}: attempt {} of {} ({} so far)", what, endpoint, state[0], maxAttempts, spent);
            }
        }
        state[2] = 0;
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        long[] state = attributes.getAttribute(STATE);
        if (state != null) {
            state[2] = 1;
        }
    }

    private static String target(SdkRequest request) {
        String bucket = request.getValueForField("Bucket", String.class).orElse("?");
        return request.getValueForField("Key", String.class).map(k -> "of bucket '" + bucket + "', key '" + k + "'")
                .orElse("of bucket '" + bucket + "'");
    }
}
