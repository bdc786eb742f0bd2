package io.iiifaws.operator;

import io.iiifaws.api.BatchStatus;
import io.iiifaws.api.IiifJobSpec;
import java.util.List;

/**
 * What a Task-mode pass does next, decided from the spec and the job's progress alone, with no
 * call: as the Job controller's syncJob decides before manageJob acts. Deciding may change the
 * progress (conditions, the start); the actions are the executor's to carry out.
 */
sealed interface TaskDecision {
    /** Nothing to do until the job changes: it finished, or is suspended with nothing running. */
    record Idle() implements TaskDecision {}

    /** Ask ECS to stop the active tasks; a job that targets failure fails once none is active. */
    record StopActive(String why) implements TaskDecision {}

    /** Write the start before the first launch: a status without one proves no launch was lost. */
    record RecordStart() implements TaskDecision {}

    /** Launch these batches, in order, each as one task (possibly none: the job waits). */
    record Launch(List<BatchStatus> batches) implements TaskDecision {}

    static TaskDecision decide(IiifJobSpec spec, JobProgress progress, String unchecked) {
        if (progress.isFinished()) {
            return new Idle();
        }
        if (settle(spec, progress, unchecked)) {
            return new Idle();
        }
        if (progress.failureTarget().isPresent()) {
            return drain(progress);
        }
        if (spec.suspend()) {
            progress.suspend();
            return new StopActive("suspended");
        }
        boolean fresh = progress.neverStarted();
        progress.resumeIfSuspended();
        progress.start();
        if (fresh) {
            return new RecordStart();
        }
        return new Launch(progress.launchable(spec.parallelism()));
    }

    /** Drain, then fail: the one rule of a job that targets failure, in every mode. */
    static TaskDecision drain(JobProgress progress) {
        if (progress.activeTasks().isEmpty()) {
            progress.failAsTargeted();
            return new Idle();
        }
        return new StopActive(progress.failureTarget().orElseThrow().reason());
    }

    /**
     * Whether the job is over: targets failure past the deadline or when a batch ran out of
     * retries or too many images failed; completes it when every batch succeeded (returns true).
     */
    private static boolean settle(IiifJobSpec spec, JobProgress progress, String unchecked) {
        if (progress.failureTarget().isEmpty() && !progress.targetDeadline()) {
            progress.exhausted(spec.backoffLimit())
                    .ifPresent(b ->
                            progress.failureTarget("BackoffLimitExceeded", exhaustedMessage(b, spec.backoffLimit())));
        }
        int allowed = spec.process().maxFailedImages();
        if (progress.failureTarget().isEmpty()) {
            progress.tooManyFailedImages(allowed).ifPresent(why -> progress.failureTarget("ImagesFailed", why));
        }
        if (progress.failureTarget().isEmpty() && progress.listedNothing()) {
            progress.failureTarget(
                    "NoImages",
                    "spec.source: the listing found no image to process"
                            + progress.source()
                                    .filter(s -> s.skipped() > 0)
                                    .map(s -> " (" + s.skipped() + " entries skipped: see status.source)")
                                    .orElse(""));
        }
        if (progress.failureTarget().isEmpty() && progress.allSucceeded()) {
            long uris = progress.source().map(s -> s.uris()).orElse((long)
                    spec.uris().size());
            int batches = progress.batches().size();
            progress.complete(
                    "CompletionsReached",
                    "All " + batches + (batches == 1 ? " batch" : " batches") + " (" + uris
                            + (uris == 1 ? " URI" : " URIs") + ") succeeded"
                            + EcsRunner.imagesSummary(progress.images(), allowed, unchecked));
            return true;
        }
        return false;
    }

    private static String exhaustedMessage(BatchStatus batch, int backoffLimit) {
        return "Batch " + batch.index() + (batch.uris() == null ? "" : " (URIs " + batch.uris() + ")") + " failed "
                + batch.failures()
                + (batch.failures() == 1 ? " time" : " times") + ", more than backoffLimit " + backoffLimit
                + (batch.message() == null ? "" : "; last run: " + batch.message());
    }
}
