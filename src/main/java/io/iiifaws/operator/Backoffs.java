package io.iiifaws.operator;

import java.time.Duration;
import software.amazon.awssdk.retries.api.BackoffStrategy;

/**
 * Waits before a batch runs again, exponential with jitter so that many jobs hit by the same
 * shortage do not come back at once.
 *
 * @param afterFailure before relaunching a run that failed (as a Job: 10 s, doubling, capped)
 * @param afterRetry before relaunching after a refused launch, an interruption or a loss
 * @param afterAwsError before calling AWS again after a throttle, 5xx or timeout
 */
public record Backoffs(BackoffStrategy afterFailure, BackoffStrategy afterRetry, BackoffStrategy afterAwsError) {

    public static Backoffs standard() {
        return scaled(Duration.ofSeconds(10), Duration.ofMinutes(6));
    }

    /** Exponential from {@code base} up to {@code max}, with half jitter, for all three. */
    public static Backoffs scaled(Duration base, Duration max) {
        BackoffStrategy strategy = BackoffStrategy.exponentialDelayHalfJitter(base, max);
        return new Backoffs(strategy, strategy, strategy);
    }

    /**
     * The wait after {@code setbacks} setbacks in a row (from 1): between half and all of base ×
     * 2^(setbacks-1), capped. The SDK's strategies number attempts, and the first attempt waits none.
     */
    static Duration delay(BackoffStrategy strategy, int setbacks) {
        return strategy.computeDelay(Math.max(1, setbacks) + 1);
    }
}
