package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.iiifaws.api.InvocationStatus;
import io.iiifaws.api.LambdaSpec;
import io.iiifaws.api.TaskResult;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.lambda.LambdaInvoker;
import io.iiifaws.operator.TaskLabels.RunId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * Invoke mode: invokes the function once with an S3 event for the URIs, without blocking the
 * reconcile thread, then follows the ECS task the answer names, if any. An invocation in flight
 * when the operator restarts is made again: Lambda invocations are at least once.
 */
final class LambdaRunner {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LambdaRunner.class);
    /** Longest function answer kept in status. */
    static final int MESSAGE_LIMIT = 1024;

    private final JobAws aws;
    private final OperatorSettings settings;
    private final TaskTracking tracking;
    private final AwsTrouble trouble;
    private final ReportChecks checks;
    private final JobMemory memory;
    private final Function<IiifJob, Runnable> wake;

    LambdaRunner(
            JobAws aws,
            OperatorSettings settings,
            TaskTracking tracking,
            AwsTrouble trouble,
            ReportChecks checks,
            JobMemory memory,
            Function<IiifJob, Runnable> wake) {
        this.aws = aws;
        this.settings = settings;
        this.tracking = tracking;
        this.trouble = trouble;
        this.checks = checks;
        this.memory = memory;
        this.wake = wake;
    }

    static InvocationType invocationType(io.iiifaws.api.InvocationType type) {
        return switch (type) {
            case RequestResponse -> InvocationType.REQUEST_RESPONSE;
            case Event -> InvocationType.EVENT;
            case DryRun -> InvocationType.DRY_RUN;
        };
    }

    Optional<Duration> reconcile(JobPlan plan, JobProgress progress) {
        IiifJob job = plan.job();
        String uid = job.getMetadata().getUid();
        Optional<InvocationStatus> invocation = progress.invocation();

        if (invocation.isEmpty()) {
            if (plan.spec().suspend()) {
                progress.suspend();
                return Optional.empty();
            }
            progress.resumeIfSuspended();
            progress.start();
            invoke(plan, progress, false);
            return Optional.of(settings.safetyLook());
        }
        if (progress.failureTarget().isPresent() || progress.targetDeadline()) {
            cancel(uid);
            return tracking.drainThenFail(job, progress, plan.container());
        }
        if (invocation.get().statusCode() == null) {
            return awaitAnswer(plan, progress);
        }
        return followTask(plan, progress);
    }

    /** Forgets an invocation in flight. */
    void cancel(String uid) {
        JobMemory.Entry entry = memory.of(uid);
        CompletableFuture<?> future = entry.invocation;
        entry.invocation = null;
        if (future != null) {
            future.cancel(true);
        }
    }

    private void invoke(JobPlan plan, JobProgress progress, boolean again) {
        LambdaSpec lambda = plan.spec().lambda();
        var invoker = new LambdaInvoker(aws.of(plan.uid()).lambda(plan.region().id()));
        CompletableFuture<LambdaInvoker.Result> call = invoker.invoke(
                lambda.functionName(), lambda.qualifier(), invocationType(lambda.invocationType()), plan.payload());
        memory.of(plan.job().getMetadata().getUid()).invocation = call;
        Runnable wakeJob = wake.apply(plan.job());
        call.whenComplete((result, error) -> wakeJob.run());
        progress.invocation(
                new InvocationStatus(Times.format(progress.now()), null, null, null, null, null, null, null));
        String what = "function " + lambda.functionName() + " (" + lambda.invocationType() + ") with an S3 event for "
                + plan.spec().uris().size() + " URIs";
        progress.event(
                again
                        ? JobEvent.warning(
                                "Reinvoked", "Invoking " + what + " again: the earlier invocation's answer was lost")
                        : JobEvent.normal("Invoked", "Invoked " + what));
    }

    private Optional<Duration> awaitAnswer(JobPlan plan, JobProgress progress) {
        String uid = plan.job().getMetadata().getUid();
        CompletableFuture<LambdaInvoker.Result> future = memory.of(uid).invocation;
        if (future == null) {
            invoke(plan, progress, true);
            return Optional.of(settings.safetyLook());
        }
        if (!future.isDone()) {
            return Optional.of(settings.safetyLook());
        }
        memory.of(uid).invocation = null;
        LambdaInvoker.Result result;
        try {
            result = future.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            Throwable cause = AwsErrors.unwrap(e);
            String message = "Invoke: " + AwsErrors.describe(cause);
            if (cause instanceof SdkException && AwsErrors.isTransient(cause)) {
                progress.invocation(null);
                Duration wait = trouble.next(uid, cause);
                progress.event(JobEvent.warning("InvokeRetry", message + "; invoking again in " + Times.seconds(wait)));
                return Optional.of(wait);
            }
            progress.fail("AwsError", message);
            return Optional.empty();
        }
        trouble.clear(uid);
        return answered(plan, progress, result);
    }

    private Optional<Duration> answered(JobPlan plan, JobProgress progress, LambdaInvoker.Result result) {
        LambdaSpec lambda = plan.spec().lambda();
        String answer = shorten(result.payload());
        Optional<String> taskArn = result.failed() ? Optional.empty() : result.taskArn();
        var reports = taskArn.flatMap(arn -> result.reports());
        InvocationStatus started = progress.invocation().orElseThrow();
        progress.invocation(new InvocationStatus(
                started.invokedAt(),
                result.statusCode(),
                result.functionError(),
                result.executedVersion(),
                taskArn.orElse(null),
                answer,
                reports.map(Map.Entry::getKey).orElse(null),
                reports.map(Map.Entry::getValue).orElse(null)));
        String function = "Function " + lambda.functionName();
        if (result.failed()) {
            progress.fail(
                    "InvocationFailed",
                    function
                            + (result.functionError() != null
                                    ? " failed (" + result.functionError() + "): " + answer
                                    : " answered with status " + result.statusCode() + ": " + answer));
            return Optional.empty();
        }
        switch (lambda.invocationType()) {
            case Event -> {
                progress.complete(
                        "InvocationAccepted",
                        "Lambda accepted the event for " + lambda.functionName() + " (status " + result.statusCode()
                                + "); the function runs on its own and its outcome is not followed");
                return Optional.empty();
            }
            case DryRun -> {
                progress.complete(
                        "DryRunSucceeded",
                        "Dry run: Lambda would invoke " + lambda.functionName() + " (status " + result.statusCode()
                                + ")");
                return Optional.empty();
            }
            case RequestResponse -> {
                if (taskArn.isEmpty()) {
                    progress.complete("InvocationSucceeded", function + " answered: " + answer);
                    return Optional.empty();
                }
                progress.launched(new RunId(0, 1), taskArn.get(), clusterOf(taskArn.get(), plan));
                progress.event(JobEvent.normal("Following", function + " started task " + taskArn.get())
                        .about(taskArn.get()));
                return Optional.of(settings.safetyLook());
            }
        }
        throw new IllegalStateException("unknown invocation type " + lambda.invocationType());
    }

    private Optional<Duration> followTask(JobPlan plan, JobProgress progress) {
        IiifJob job = plan.job();
        String uid = job.getMetadata().getUid();
        tracking.follow(job, progress, plan.container(), trouble);
        if (progress.isFinished()) {
            return Optional.empty();
        }
        trouble.clear(uid);
        if (!progress.activeTasks().isEmpty()) {
            return Optional.of(settings.safetyLook());
        }
        List<String> passed = progress.invocation().map(InvocationStatus::uris).orElse(List.of());
        Optional<Duration> checking = checks.check(
                progress,
                uid,
                run -> CompletableFuture.completedFuture(passed),
                plan.command()::reportName,
                ReportChecks.NOTHING_RECORDED,
                wake.apply(job));
        if (checking.isPresent() || progress.failureTarget().isPresent()) {
            if (progress.failureTarget().isPresent()) {
                progress.failAsTargeted();
                return Optional.empty();
            }
            return checking;
        }
        TaskStatus task = progress.tasks().get(0);
        String verdict = progress.lastVerdict().orElse("the task ended as " + task.result());
        int allowed = plan.spec().process().maxFailedImages();
        Optional<String> tooMany = progress.tooManyFailedImages(allowed);
        if (task.result() == TaskResult.Succeeded && tooMany.isPresent()) {
            progress.fail("ImagesFailed", tooMany.get());
        } else if (task.result() == TaskResult.Succeeded) {
            progress.complete(
                    "TaskSucceeded",
                    "Task " + task.taskArn() + " started by the function succeeded: " + verdict
                            + EcsRunner.imagesSummary(progress.images(), allowed, null));
        } else {
            progress.fail(
                    "TaskFailed",
                    "Task " + task.taskArn() + " started by the function "
                            + (task.result() == TaskResult.Lost ? "is no longer known to ECS" : "failed: " + verdict));
        }
        return Optional.empty();
    }

    /** A task ARN in the long format names its cluster: arn:aws:ecs:region:account:task/cluster/id. */
    static String clusterOf(String taskArn, JobPlan plan) {
        String resource = taskArn.substring(taskArn.indexOf(":task/") + ":task/".length());
        int slash = resource.indexOf('/');
        if (slash > 0) {
            return resource.substring(0, slash);
        }
        return plan.cluster() != null ? plan.cluster() : "default";
    }

    private static void log(JobProgress progress, SdkException e) {
        log.warn("job={} event=AwsRetry error=\"DescribeTasks: {}\"", progress.jobName(), AwsErrors.describe(e));
    }

    private static String shorten(String text) {
        if (text == null) {
            return null;
        }
        return text.length() <= MESSAGE_LIMIT ? text : text.substring(0, MESSAGE_LIMIT) + "…";
    }
}
