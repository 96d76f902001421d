package io.benchline.common.outbox;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Which send failures can never succeed. Only those count toward {@code max-attempts} and end in
 * {@code outbox_failed}; everything else (the broker away, timeouts, a leader moving) is retried with backoff for
 * as long as it takes, and loses nothing.
 */
final class RelayFailures {
    private RelayFailures() {
    }

    /**
     * True for a failure the same record will meet again: too large, an invalid or unknown topic, a record the
     * serializer or broker refuses. {@code topicMissing} tells a metadata timeout for a topic the broker does not
     * have (the broker answered other sends of the pass) from a broker that is away.
     */
    static boolean permanent(Throwable failure, boolean brokerAnswered) {
        Throwable f = unwrap(failure);
        if (f instanceof SerializationException) {
            return true;
        }
        if (f instanceof org.apache.kafka.common.errors.TimeoutException && brokerAnswered
                && String.valueOf(f.getMessage()).contains("not present in metadata")) {
            return true;
        }
        return f instanceof ApiException && !(f instanceof RetriableException);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable f = failure;
        while ((f instanceof java.util.concurrent.CompletionException
                || f instanceof java.util.concurrent.ExecutionException) && f.getCause() != null) {
            f = f.getCause();
        }
        return f;
    }
}
