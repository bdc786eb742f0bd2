package io.iiifaws.operator;

import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.aws.S3Reports;
import io.iiifaws.goiiif.ImageCheck;
import io.iiifaws.goiiif.ReportLocation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Reads go-iiif's reports of runs that exited 0, in the background, so that no reconcile thread
 * waits on S3, and takes what they say into the job's progress. A read lost with a restart is
 * made again: it only reads.
 */
final class ReportChecks {
    private static final Logger log = LoggerFactory.getLogger(ReportChecks.class);

    /** For jobs whose status holds every image's outcome. */
    static final java.util.function.BiFunction<TaskStatus, ImageCheck, CompletableFuture<Void>> NOTHING_RECORDED =
            (run, check) -> CompletableFuture.completedFuture(null);

    private final JobAws aws;
    private final AwsTrouble trouble;
    private final JobMemory memory;
    private final Duration poll;

    /** @param poll the longest a job waits for a pass while reads go on: a finished read wakes it */
    ReportChecks(JobAws aws, AwsTrouble trouble, JobMemory memory, Duration poll) {
        this.aws = aws;
        this.trouble = trouble;
        this.memory = memory;
        this.poll = poll;
    }

    /**
     * Starts reading the reports of every run waiting for it, and takes in those read.
     *
     * @param urisOf the URIs a run passed to go-iiif
     * @param reportName the report's name for a URI
     * @param record keeps what the reports said of each image, once read, beyond status
     * @param wake wakes the job when a read ends
     * @return when to look again: while reads are going, or after a read that may pass failed
     */
    Optional<Duration> check(
            JobProgress progress,
            String jobUid,
            Function<TaskStatus, CompletableFuture<List<String>>> urisOf,
            Function<String, String> reportName,
            java.util.function.BiFunction<TaskStatus, ImageCheck, CompletableFuture<Void>> record,
            Runnable wake) {
        Optional<Duration> next = Optional.empty();
        Map<String, CompletableFuture<ImageCheck>> inFlight = memory.of(jobUid).reads;
        S3Reports reader = new S3Reports(aws.of(jobUid)::s3);
        for (TaskStatus run : progress.verifying()) {
            Optional<ReportLocation> where = progress.reportsOf(run);
            if (where.isEmpty()) {
                continue;
            }
            String key = run.batch() + "/" + run.attempt();
            CompletableFuture<ImageCheck> read = inFlight.computeIfAbsent(key, k -> {
                CompletableFuture<ImageCheck> started = urisOf.apply(run)
                        .thenCompose(uris -> reader.check(where.get(), uris, reportName))
                        .thenCompose(check -> record.apply(run, check).thenApply(done -> check));
                started.whenComplete((check, error) -> wake.run());
                return started;
            });
            if (!read.isDone()) {
                next = Optional.of(poll);
                continue;
            }
            inFlight.remove(key, read);
            try {
                progress.imagesChecked(run, read.join(), where.get());
                trouble.clear(jobUid);
            } catch (CompletionException | CancellationException e) {
                Throwable cause = AwsErrors.unwrap(e);
                String message = "Reading go-iiif's reports at " + where.get() + ": " + AwsErrors.describe(cause);
                if (cause instanceof SdkException && AwsErrors.isTransient(cause)) {
                    Duration wait = trouble.next(jobUid, cause);
                    log.warn(
                            "job={} event=ReportsRetry wait={} error=\"{}\"",
                            progress.jobName(),
                            Times.seconds(wait),
                            message);
                    next = Optional.of(wait);
                } else {
                    progress.failureTarget(
                            "AwsError", message + " (the operator needs s3:ListBucket and s3:GetObject there)");
                }
            }
        }
        return next;
    }
}
