package io.iiifaws.operator;

import io.iiifaws.api.BatchStatus;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.ImagesStatus;
import io.iiifaws.api.NetworkSpec;
import io.iiifaws.api.TaskSpec;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.api.UriRange;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.collection.Results;
import io.iiifaws.collection.Snapshot;
import io.iiifaws.ecs.EcsTasks;
import io.iiifaws.ecs.TaskDefinitions;
import io.iiifaws.ecs.TaskObservation;
import io.iiifaws.ecs.TaskRequest;
import io.iiifaws.ecs.TaskTemplate;
import io.iiifaws.goiiif.ImageCheck;
import io.iiifaws.goiiif.ReportLocation;
import io.iiifaws.operator.TaskLabels.RunId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.LaunchType;

/**
 * Task mode: runs each batch of a job as an ECS task, at most {@code parallelism} at a time, and
 * retries as a Job does. Each pass describes the running tasks, decides, and launches; it never
 * waits for a task.
 */
final class EcsRunner {
    private static final Logger log = LoggerFactory.getLogger(EcsRunner.class);

    private final JobAws aws;
    private final OperatorSettings settings;
    private final TaskTracking tracking;
    private final AwsTrouble trouble;
    private final JobMetrics metrics;
    private final ReportChecks checks;
    private final TaskDefinitions definitions;
    private final JobMemory memory;
    private final LaunchTurns turns;
    private final java.util.function.Function<IiifJob, Runnable> wake;
    private final SourceListings sources;
    private final FailedRunLogs logs;
    /** Batches of snapshots read lately, by object: a batch's URIs are read once for its launch and its check. */
    private final Map<String, List<String>> snapshotReads =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
                    return size() > 256;
                }
            });

    EcsRunner(
            JobAws aws,
            OperatorSettings settings,
            TaskTracking tracking,
            AwsTrouble trouble,
            JobMetrics metrics,
            ReportChecks checks,
            TaskDefinitions definitions,
            JobMemory memory,
            SourceListings sources,
            java.util.function.Function<IiifJob, Runnable> wake) {
        this.sources = sources;
        this.logs = new FailedRunLogs(aws, definitions, memory);
        this.memory = memory;
        this.turns = new LaunchTurns(settings.launchesPerSecond());
        this.wake = wake;
        this.aws = aws;
        this.settings = settings;
        this.tracking = tracking;
        this.trouble = trouble;
        this.metrics = metrics;
        this.checks = checks;
        this.definitions = definitions;
    }

    /**
     * One pass: observe (what the tracker last heard of the tasks, reports read in the background),
     * decide ({@link TaskDecision}, no calls), act. Returns when to look at the job again, or empty
     * to wait for a change to it.
     */
    Optional<Duration> reconcile(JobPlan plan, JobProgress progress) {
        IiifJob job = plan.job();
        String uid = job.getMetadata().getUid();
        tracking.follow(job, progress, plan.container(), trouble);
        if (progress.isFinished()) {
            return Optional.empty();
        }
        Optional<Duration> listing = sources.observe(plan, progress, wake.apply(job));
        overListed(uid, progress);
        Optional<Duration> checking = checks.check(
                        progress,
                        uid,
                        run -> batchUris(plan, run.batch(), run.uris()),
                        plan.command()::reportName,
                        results(plan),
                        wake.apply(job))
                .map(wait -> listing.filter(l -> l.compareTo(wait) < 0).orElse(wait))
                .or(() -> listing);
        logs.observe(plan, progress);
        TaskDecision decision = TaskDecision.decide(plan.spec(), progress, plan.unchecked());
        if (decision instanceof TaskDecision.StopActive stop) {
            tracking.stopActive(job, progress, stop.why());
            return progress.activeTasks().isEmpty() ? Optional.empty() : Optional.of(settings.safetyLook());
        }
        if (decision instanceof TaskDecision.RecordStart) {
            progress.reportsAt(plan.reports());
            memory.of(uid).straysListed = true;
            return Optional.of(Duration.ZERO);
        }
        if (decision instanceof TaskDecision.Launch launch) {
            progress.reportsAt(plan.reports());
            boolean adopted = launch(plan, progress, launch.batches());
            // What the launches found (a failure, a stray that had finished) is the next pass's to decide.
            return adopted || progress.failureTarget().isPresent()
                    ? Optional.of(Duration.ZERO)
                    : nextLook(progress, checking);
        }
        if (progress.isFinished()) {
            trouble.clear(uid);
        }
        return Optional.empty();
    }

    /** A source that lists more images than the job's policy allows fails the job (its tasks stopped first). */
    private void overListed(String uid, JobProgress progress) {
        io.iiifaws.api.IiifJobPolicy policy = memory.of(uid).policy;
        if (policy == null || progress.failureTarget().isPresent()) {
            return;
        }
        progress.source()
                .flatMap(s -> io.iiifaws.policy.JobPolicies.tooManyListed(policy, s.uris() == null ? 0 : s.uris()))
                .ifPresent(over -> progress.failureTarget("PolicyDenied", over));
    }

    /** The URIs of a batch as go-iiif gets them: from the spec, or from the job's snapshot. */
    private CompletableFuture<List<String>> batchUris(JobPlan plan, int batch, UriRange range) {
        if (plan.source().isEmpty()) {
            return CompletableFuture.completedFuture(plan.uris(range));
        }
        Snapshot snapshot = plan.source().get().snapshot();
        String key = snapshot.location().bucket() + "/" + snapshot.key(batch);
        List<String> known = snapshotReads.get(key);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        return snapshot.read(aws.of(plan.uid()).s3(snapshot.location().region()), batch)
                .thenApply(uris -> {
                    snapshotReads.put(key, uris);
                    return uris;
                });
    }

    /** Writes each image's outcome of a spec.source job's run to its results. */
    private java.util.function.BiFunction<TaskStatus, ImageCheck, CompletableFuture<Void>> results(JobPlan plan) {
        if (plan.source().isEmpty()) {
            return ReportChecks.NOTHING_RECORDED;
        }
        Results results = new Results(plan.source().get().results());
        AwsClients clients = aws.of(plan.uid());
        return (run, check) -> results.write(clients.s3(results.location().region()), run.batch(), check);
    }

    static String describe(BatchStatus batch) {
        return "batch " + batch.index() + (batch.uris() == null ? "" : " (URIs " + batch.uris() + ")");
    }

    /** What the reports said of the job's images, for the Complete condition: "; go-iiif processed …". */
    static String imagesSummary(ImagesStatus images, int allowed, String unchecked) {
        List<String> parts = new ArrayList<>();
        if (images.processed() > 0 || images.failed() > 0) {
            parts.add("go-iiif processed " + images.processed() + (images.processed() == 1 ? " image" : " images"));
        }
        if (images.failed() > 0) {
            parts.add(images.failed() + " failed (spec.process.maxFailedImages allows " + allowed + "): "
                    + JobProgress.describe(images.failedImages(), images.failed()));
        }
        if (images.unverified() > 0) {
            parts.add(images.unverified() + (images.unverified() == 1 ? " image was" : " images were")
                    + " not checked (" + (unchecked == null ? "no reports" : unchecked) + ")");
        }
        return parts.isEmpty() ? "" : "; " + String.join("; ", parts);
    }

    /**
     * Launches the batches in order, waiting for the job's turn at the operator's RunTask rate and
     * listing the job's strays in ECS first when status may have lost a launch. Returns whether a
     * stray was adopted.
     */
    private boolean launch(JobPlan plan, JobProgress progress, List<BatchStatus> batches) {
        if (batches.isEmpty()) {
            return false;
        }
        IiifJob job = plan.job();
        JobMemory.Entry remembered = memory.of(job.getMetadata().getUid());
        if (remembered.launchTurn == null) {
            remembered.launchTurn = turns.reserve(batches.size(), progress.now());
        }
        if (progress.now().plus(LaunchTurns.NEAR).isBefore(remembered.launchTurn)) {
            progress.lookAgainWithin(Duration.between(progress.now(), remembered.launchTurn));
            return false;
        }
        remembered.launchTurn = null;
        AwsClients clients = aws.of(plan.uid());
        EcsTasks ecs = new EcsTasks(clients.ecs(plan.region().id()));
        Optional<String> overridden = definitions.overrides(
                clients.ecs(plan.region().id()),
                plan.region().id(),
                template(plan.spec()),
                plan.command(),
                plan.reports());
        if (overridden.isPresent()) {
            progress.failureTarget("InvalidSpec", "spec.task.taskDefinition: " + overridden.get());
            return false;
        }
        try {
            if (!remembered.straysListed) {
                boolean adopted = adoptStrays(ecs, plan, progress);
                remembered.straysListed = true;
                if (adopted) {
                    return true;
                }
            }
        } catch (SdkException e) {
            // Without knowing which tasks ECS already runs for the job, launching could duplicate one.
            for (BatchStatus batch : batches) {
                if (!launchFailed(progress, job, batch, "ListTasks", e)) {
                    return false;
                }
            }
            return false;
        }
        for (BatchStatus batch : batches) {
            RunId run = new RunId(batch.index(), progress.nextAttempt(batch.index()));
            String what = describe(batch) + ", attempt " + run.attempt();
            EcsTasks.Launch launch;
            try {
                List<String> uris = batchUris(plan, batch.index(), batch.uris()).join();
                TaskRequest request = request(plan, uris, run, progress.refusals(batch.index()));
                launch = ecs.run(request);
            } catch (SdkException e) {
                launchFailed(progress, job, batch, "RunTask", e);
                return false;
            } catch (java.util.concurrent.CompletionException e) {
                if (io.iiifaws.aws.AwsErrors.unwrap(e) instanceof SdkException read) {
                    launchFailed(progress, job, batch, "GetObject of the snapshot", read);
                    return false;
                }
                throw e;
            }
            if (launch instanceof EcsTasks.Launch.Started started) {
                if (!progress.knows(started.taskArn())) {
                    progress.launched(run, started.taskArn(), plan.cluster());
                    metrics.launched(job);
                    progress.event(JobEvent.normal("Launched", "Launched task " + started.taskArn() + " for " + what)
                            .about(started.taskArn()));
                }
            } else if (launch instanceof EcsTasks.Launch.AlreadyStarted existing) {
                String arn = existing.taskArns().get(0);
                if (!progress.knows(arn)) {
                    progress.launched(run, arn, plan.cluster());
                    progress.event(JobEvent.normal("Adopted", "Adopted task " + arn + " already started for " + what)
                            .about(arn));
                }
            } else if (launch instanceof EcsTasks.Launch.Refused refused) {
                if (refused.permanent()) {
                    progress.failureTarget(
                            "LaunchFailed", "RunTask placed no task for " + what + ": " + refused.reason());
                    return false;
                }
                Duration wait =
                        progress.launchDeferred(batch.index(), "RunTask placed no task: " + refused.reason(), true);
                metrics.launchRefused(job, refused.reason());
                progress.event(JobEvent.warning(
                        "LaunchRetry",
                        "RunTask placed no task for " + what + ": " + refused.reason() + "; retrying in "
                                + Times.seconds(wait)));
                // The cluster is short of capacity: the other batches would be refused too.
                return false;
            }
        }
        return false;
    }

    /**
     * Takes in tasks of this job that ECS runs but status does not record: a crash between RunTask
     * and the status write leaves one. A second task for a run status already records is stopped;
     * a run whose attempt the batch has counted, but that status no longer lists, is left alone.
     * Returns whether a stray was adopted.
     */
    private boolean adoptStrays(EcsTasks ecs, JobPlan plan, JobProgress progress) {
        IiifJob job = plan.job();
        String cluster = plan.cluster();
        Set<String> found = ecs.listStartedBy(cluster, job.getMetadata().getUid());
        found.removeIf(progress::knows);
        if (found.isEmpty()) {
            return false;
        }
        Map<String, TaskObservation> described = ecs.describe(cluster, found);
        List<Map.Entry<RunId, TaskObservation>> strays = new ArrayList<>();
        for (TaskObservation seen : described.values()) {
            if (seen.missing()) {
                continue;
            }
            Optional<RunId> run = TaskLabels.runOf(seen);
            if (run.isEmpty() || run.get().batch() >= progress.batches().size()) {
                log.warn(
                        "job={} task={} event=UnknownTask reason=\"started by this job but names no batch and attempt\"",
                        job.namespacedName(),
                        seen.taskArn());
                continue;
            }
            strays.add(Map.entry(run.get(), seen));
        }
        strays.sort(Comparator.comparing(
                        (Map.Entry<RunId, TaskObservation> e) -> e.getKey().batch())
                .thenComparing(e -> e.getKey().attempt()));
        boolean adopted = false;
        for (var stray : strays) {
            RunId run = stray.getKey();
            TaskObservation seen = stray.getValue();
            Optional<TaskStatus> recorded = progress.task(run);
            if (recorded.isPresent()) {
                if (!seen.isStopped() && !TaskObservation.STOPPED.equals(seen.desiredStatus())) {
                    ecs.stop(
                            cluster,
                            seen.taskArn(),
                            TaskLabels.stopReason(
                                    job, "duplicate of task " + recorded.get().taskArn()));
                    progress.event(JobEvent.warning(
                                    "DuplicateStopped",
                                    "Stopped task " + seen.taskArn() + ": it repeats batch " + run.batch()
                                            + ", attempt " + run.attempt() + ", which task "
                                            + recorded.get().taskArn() + " runs")
                            .about(seen.taskArn()));
                }
                continue;
            }
            // Status records every launch with its batch's attempts; an attempt it has counted is an
            // older run, or one whose finished record was pruned from status, never a lost launch.
            if (run.attempt() <= progress.batches().get(run.batch()).attempts()) {
                continue;
            }
            TaskStatus taken = progress.launched(run, seen.taskArn(), cluster);
            progress.observe(taken, seen, 0, plan.container(), settings.missingGrace());
            adopted = true;
            progress.event(JobEvent.normal(
                            "Adopted",
                            "Adopted task " + seen.taskArn() + " of batch " + run.batch() + ", attempt " + run.attempt()
                                    + ", which status did not record")
                    .about(seen.taskArn()));
        }
        return adopted;
    }

    /**
     * A launch call failed: a batch waits out a backoff if the error may pass (true), or the job
     * targets failure (false). Throttling that outlasted the call's own retries only has the job
     * look again shortly: it is the account's rate, not the batch's doing, and neither status nor
     * an event records it.
     */
    private boolean launchFailed(JobProgress progress, IiifJob job, BatchStatus batch, String call, SdkException e) {
        String message = trouble.message(job.getMetadata().getUid(), call, e);
        if (!io.iiifaws.aws.AwsErrors.isTransient(e)) {
            progress.failureTarget("AwsError", message);
            return false;
        }
        if (io.iiifaws.aws.AwsErrors.isThrottling(e)) {
            Duration wait = trouble.next(job.getMetadata().getUid(), e);
            progress.lookAgainWithin(wait);
            log.info("job={} event=Throttled call={} wait={}", job.namespacedName(), call, Times.seconds(wait));
            return false;
        }
        Duration wait = progress.launchDeferred(batch.index(), message, false);
        progress.event(JobEvent.warning(
                "LaunchRetry", message + "; retrying batch " + batch.index() + " in " + Times.seconds(wait)));
        return true;
    }

    /**
     * When to look again: while reports are read, when a backoff ends, when a task ECS has not
     * described yet runs out of grace, at the deadline. A change of a running task wakes the job
     * sooner; while tasks run, it looks again at the latest after {@link OperatorSettings#safetyLook}.
     */
    private Optional<Duration> nextLook(JobProgress progress, Optional<Duration> checking) {
        List<Duration> candidates = new ArrayList<>();
        checking.ifPresent(candidates::add);
        progress.lookAgain().ifPresent(candidates::add);
        if (!progress.activeTasks().isEmpty()) {
            candidates.add(settings.safetyLook());
            progress.graceEnds(settings.missingGrace())
                    .filter(progress.now()::isBefore)
                    .ifPresent(t -> candidates.add(Duration.between(progress.now(), t)));
        }
        progress.nextLaunch().ifPresent(t -> candidates.add(Duration.between(progress.now(), t)));
        progress.deadline()
                .filter(progress.now()::isBefore)
                .ifPresent(t -> candidates.add(Duration.between(progress.now(), t)));
        // Unfinished and waiting for nothing known: look again rather than stall.
        return Optional.of(candidates.stream().min(Duration::compareTo).orElse(settings.pollInterval()));
    }

    static TaskRequest request(JobPlan plan, List<String> uris, RunId run, int refusals) {
        IiifJob job = plan.job();
        Optional<ReportLocation> reports = plan.reports().map(r -> r.run(run.batch(), run.attempt()));
        Map<String, String> environment = new LinkedHashMap<>(TaskLabels.environment(job, run));
        environment.putAll(plan.command().environment(reports));
        return template(plan.spec())
                .request(
                        plan.command().argv(uris, reports),
                        environment,
                        TaskLabels.tags(job, run),
                        job.getMetadata().getUid(),
                        TaskLabels.clientToken(job, run, refusals));
    }

    static TaskTemplate template(IiifJobSpec spec) {
        TaskSpec task = spec.task();
        NetworkSpec network = spec.network();
        return new TaskTemplate(
                task.cluster(),
                task.taskDefinition(),
                task.container(),
                task.launchType() == null
                        ? null
                        : LaunchType.fromValue(task.launchType().name()),
                task.platformVersion(),
                task.capacityProviderStrategy().stream()
                        .map(c -> CapacityProviderStrategyItem.builder()
                                .capacityProvider(c.capacityProvider())
                                .weight(c.weight())
                                .base(c.base())
                                .build())
                        .toList(),
                network.subnets(),
                network.securityGroups(),
                network.assignPublicIp() == io.iiifaws.api.AssignPublicIp.ENABLED,
                task.tags());
    }
}
