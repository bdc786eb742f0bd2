package io.iiifaws.operator;

import io.iiifaws.api.SourceStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.collection.SourceListing;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Lists spec.source jobs into their snapshots on threads of their own, so that no reconcile thread
 * waits on S3: a pass starts or resumes its job's listing from what status recorded, and takes in
 * how far it came. A listing wakes its job as batches are written, every {@link #WAKE_EVERY} at
 * most, and when it ends.
 */
final class SourceListings implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SourceListings.class);
    static final Duration WAKE_EVERY = Duration.ofSeconds(2);
    /** Listings at once; more wait their turn. */
    static final int THREADS = 4;

    /** One listing going on. */
    static final class Listing {
        volatile SourceStatus latest;
        volatile boolean cancelled;
        volatile Instant lastWake = Instant.EPOCH;
        CompletableFuture<SourceStatus> result;

        void cancel() {
            cancelled = true;
        }
    }

    private final JobAws aws;
    private final JobMemory memory;
    private final AwsTrouble trouble;
    private final int pageSize;
    private final Clock clock;
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> {
        Thread thread = new Thread(r, "iiif-listing");
        thread.setDaemon(true);
        return thread;
    });

    SourceListings(JobAws aws, JobMemory memory, AwsTrouble trouble, int pageSize, Clock clock) {
        this.aws = aws;
        this.memory = memory;
        this.trouble = trouble;
        this.pageSize = pageSize;
        this.clock = clock;
    }

    /**
     * Starts or resumes the listing of the job's source, and takes in how far it came.
     *
     * @return when to look again, after a failed listing that may pass
     */
    Optional<Duration> observe(JobPlan plan, JobProgress progress, Runnable wake) {
        if (plan.source().isEmpty() || progress.isFinished()) {
            return Optional.empty();
        }
        SourcePlan source = plan.source().get();
        progress.resultsAt(source.results().toString());
        SourceStatus recorded = progress.source()
                .orElse(SourceStatus.started(source.snapshot().location().toString()));
        if (recorded.isListed()) {
            return Optional.empty();
        }
        String uid = plan.job().getMetadata().getUid();
        JobMemory.Entry entry = memory.of(uid);
        if (entry.listed != null) {
            progress.listed(entry.listed);
            return Optional.empty();
        }
        Instant now = progress.now();
        if (entry.listing == null) {
            if (entry.listingRetryAt != null && now.isBefore(entry.listingRetryAt)) {
                progress.listed(recorded);
                return Optional.of(Duration.between(now, entry.listingRetryAt));
            }
            entry.listing = start(plan, source, recorded, wake);
        }
        Listing listing = entry.listing;
        if (!listing.result.isDone()) {
            progress.listed(furthest(listing, recorded));
            return Optional.empty();
        }
        entry.listing = null;
        try {
            entry.listed = listing.result.join();
            progress.listed(entry.listed);
            progress.listingEnded(entry.listed);
            trouble.clear(uid);
            return Optional.empty();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = AwsErrors.unwrap(e);
            progress.listed(furthest(listing, recorded));
            String message = "Listing " + source.describe() + ": " + AwsErrors.describe(cause);
            if (cause instanceof SourceListing.SourceChangedException) {
                progress.failureTarget("SourceChanged", "Listing " + source.describe() + ": " + cause.getMessage());
            } else if (cause instanceof SdkException && AwsErrors.isTransient(cause)
                    || cause instanceof java.util.concurrent.CancellationException) {
                Duration wait = trouble.next(uid, cause);
                entry.listingRetryAt = now.plus(wait);
                log.warn(
                        "job={} event=ListingRetry wait={} error=\"{}\"",
                        progress.jobName(),
                        Times.seconds(wait),
                        message);
                return Optional.of(wait);
            } else {
                progress.failureTarget(
                        "SourceUnreadable",
                        message + " (the operator needs s3:ListBucket on the prefix or s3:GetObject on the"
                                + " manifest, and s3:GetObject and s3:PutObject on "
                                + source.snapshot().location()
                                + ")");
            }
            return Optional.empty();
        }
    }

    /** What the listing has written beyond what status recorded, if anything. */
    private static SourceStatus furthest(Listing listing, SourceStatus recorded) {
        SourceStatus latest = listing.latest;
        return latest != null && latest.batches() > recorded.batches() ? latest : recorded;
    }

    private Listing start(JobPlan plan, SourcePlan source, SourceStatus from, Runnable wake) {
        Listing listing = new Listing();
        String snapshotRegion = source.snapshot().location().region();
        AwsClients clients = aws.of(plan.uid());
        SourceListing lister = new SourceListing(
                source.source(),
                clients.s3(source.region()),
                source.snapshot().store(clients.s3(snapshotRegion)),
                source.keys(),
                source.fillers(),
                pageSize,
                source.dedupe());
        listing.result = CompletableFuture.supplyAsync(
                () -> lister.run(
                        from,
                        latest -> {
                            listing.latest = latest;
                            Instant now = clock.instant();
                            if (!now.isBefore(listing.lastWake.plus(WAKE_EVERY))) {
                                listing.lastWake = now;
                                wake.run();
                            }
                        },
                        () -> listing.cancelled),
                pool);
        listing.result.whenComplete((done, error) -> wake.run());
        log.info(
                "job={} event=Listing source=\"{}\" from={} batches",
                plan.job().namespacedName(),
                source.describe(),
                from.batches());
        return listing;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
