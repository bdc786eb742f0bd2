package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.ecs.EcsTasks;
import io.iiifaws.ecs.TaskObservation;
import io.iiifaws.ecs.TaskTracker;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Following and stopping a job's recorded tasks, shared by Task and Invoke mode. The operator's
 * {@link TaskTracker} describes them, each in the region and cluster its status records; a pass
 * reads what it last heard and never describes a task itself.
 */
final class TaskTracking {
    private static final Logger log = LoggerFactory.getLogger(TaskTracking.class);

    private final JobAws aws;
    private final OperatorSettings settings;
    private final TaskTracker<ResourceID> tracker;
    private final JobMemory memory;

    TaskTracking(JobAws aws, OperatorSettings settings, TaskTracker<ResourceID> tracker, JobMemory memory) {
        this.memory = memory;
        this.aws = aws;
        this.settings = settings;
        this.tracker = tracker;
    }

    /**
     * Takes into the progress what the tracker last heard of each active task; a task it has not
     * described yet is left as it is.
     *
     * @return the error of the last describe of a place where the job has tasks, if it failed
     */
    Optional<RuntimeException> observe(IiifJob job, JobProgress progress, String container) {
        AwsClients.Role role = aws.role(job.getMetadata().getUid());
        Optional<RuntimeException> failure = Optional.empty();
        for (TaskStatus task : progress.activeTasks()) {
            TaskTracker.Place place = new TaskTracker.Place(task.region(), task.cluster(), role);
            failure = failure.or(() -> tracker.failure(place));
            tracker.seen(task.taskArn())
                    .ifPresent(seen -> progress.observe(
                            task, seen.task(), seen.missingInARow(), container, settings.missingGrace()));
        }
        return failure;
    }

    /**
     * Observes the active tasks as {@link #observe} does, and deals with a failed describe: one
     * that may pass is the tracker's to retry, and the job goes on with what it knows; otherwise
     * the job, which can no longer follow its tasks, stops what ECS lets it stop and fails.
     */
    void follow(IiifJob job, JobProgress progress, String container, AwsTrouble trouble) {
        Optional<RuntimeException> failure = observe(job, progress, container);
        if (failure.isPresent() && failure.get() instanceof SdkException e && !AwsErrors.isTransient(e)) {
            trouble.onError(progress, job.getMetadata().getUid(), "DescribeTasks", e);
            stopActive(job, progress, "AwsError");
            progress.failAsTargeted();
        }
    }

    /**
     * Drain, then fail ({@link TaskDecision#drain}), for a job that targets failure outside a Task-mode
     * pass: takes in what the tracker heard, asks ECS to stop the tasks still active, and fails once
     * none is. Returns when to look again while some still are.
     */
    Optional<java.time.Duration> drainThenFail(IiifJob job, JobProgress progress, String container) {
        observe(job, progress, container);
        if (TaskDecision.drain(progress) instanceof TaskDecision.StopActive stop) {
            stopActive(job, progress, stop.why());
            return Optional.of(settings.safetyLook());
        }
        return Optional.empty();
    }

    /** Has the tracker follow exactly the tasks the job's status names as active, as the job's role. */
    void followActive(IiifJob job, ResourceID id, IiifJobStatus status) {
        AwsClients.Role role = aws.role(job.getMetadata().getUid());
        Map<String, TaskTracker.Place> active = new LinkedHashMap<>();
        status.tasks().stream()
                .filter(TaskStatus::isActive)
                .forEach(t -> active.put(t.taskArn(), new TaskTracker.Place(t.region(), t.cluster(), role)));
        tracker.follow(id, active);
    }

    /**
     * Asks ECS to stop every active task not yet asked. A failure is logged, recorded as an event
     * if it will not pass, and asked again on the next pass.
     */
    void stopActive(IiifJob job, JobProgress progress, String why) {
        for (TaskStatus task : progress.activeTasks()) {
            if (TaskObservation.STOPPED.equals(task.desiredStatus())) {
                continue;
            }
            try {
                new EcsTasks(aws.of(job.getMetadata().getUid()).ecs(task.region()))
                        .stop(task.cluster(), task.taskArn(), TaskLabels.stopReason(job, why));
                progress.stopRequested(task);
                progress.event(JobEvent.normal("StoppingTask", "Stopping task " + task.taskArn() + ": " + why)
                        .about(task.taskArn()));
            } catch (SdkException e) {
                if (AwsErrors.isTransient(e)) {
                    log.warn(
                            "job={} task={} event=StopRetry error=\"{}\"",
                            job.namespacedName(),
                            task.taskArn(),
                            AwsErrors.describe(e));
                } else if (memory.of(job.getMetadata().getUid()).stopRefused.add(task.taskArn())) {
                    progress.event(
                            JobEvent.warning("StopFailed", "StopTask " + task.taskArn() + ": " + AwsErrors.describe(e))
                                    .about(task.taskArn()));
                }
            }
        }
    }
}
