package io.iiifaws.operator;

import io.iiifaws.aws.AwsErrors;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * AWS errors of a job's passes: those that may pass (throttling, 5xx, timeouts) back off further
 * each time they repeat; the others target the job's failure. Counts are kept in the job's
 * memory: after a restart the backoff starts again from its base.
 */
final class AwsTrouble {
    private static final Logger log = LoggerFactory.getLogger(AwsTrouble.class);

    private final JobMemory memory;
    private final Backoffs backoffs;

    AwsTrouble(JobMemory memory, Backoffs backoffs) {
        this.memory = memory;
        this.backoffs = backoffs;
    }

    /**
     * Returns the wait before the next try when the error may pass; otherwise sets the job's
     * FailureTarget to AwsError with AWS's message and returns empty.
     */
    Optional<Duration> onError(JobProgress progress, String jobUid, String call, SdkException e) {
        String message = message(jobUid, call, e);
        if (AwsErrors.isTransient(e)) {
            Duration wait = next(jobUid, e);
            log.warn("job={} event=AwsRetry wait={} error=\"{}\"", progress.jobName(), Times.seconds(wait), message);
            return Optional.of(wait);
        }
        progress.failureTarget("AwsError", message);
        return Optional.empty();
    }

    /**
     * The wait before the job's next call after an error that may pass. Throttling is the account's
     * rate, which the calls already retried and the operator paces: it costs a short wait, not a
     * backoff that grows with each throttle of the job.
     */
    Duration next(String jobUid, Throwable e) {
        if (AwsErrors.isThrottling(e)) {
            return Backoffs.delay(backoffs.afterAwsError(), 1);
        }
        int count = memory.of(jobUid).awsErrors.incrementAndGet();
        return Backoffs.delay(backoffs.afterAwsError(), count);
    }

    /** "CALL: AWS's message", naming the job's role when STS refused it. */
    String message(String jobUid, String call, Throwable e) {
        return call + ": " + assuming(jobUid, e) + AwsErrors.describe(e);
    }

    /** "assuming ROLE (sts:AssumeRole): " when the error is STS's, refusing the job's role; else nothing. */
    private String assuming(String jobUid, Throwable e) {
        var role = memory.of(jobUid).role;
        for (Throwable cause = e; cause != null && role != null; cause = cause.getCause()) {
            if (cause instanceof software.amazon.awssdk.services.sts.model.StsException) {
                return "assuming " + role.roleArn() + " (sts:AssumeRole): ";
            }
        }
        return "";
    }

    void clear(String jobUid) {
        memory.of(jobUid).awsErrors.set(0);
    }
}
