package io.iiifaws.operator;

import io.iiifaws.api.DeletionPolicy;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobBinding;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.Mode;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.ecs.EcsTasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.model.ClusterNotFoundException;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;

/**
 * Deleting a job: stops its running tasks (deletionPolicy StopTasks), both those status records and
 * those ECS lists as started by the job, so a task launched just before a crash is not left behind.
 * A task or cluster ECS does not know needs no stopping.
 */
final class JobCleaner {
    private static final Logger log = LoggerFactory.getLogger(JobCleaner.class);

    private final AwsClients aws;
    private final AwsTrouble trouble;

    /** What the deletion came to. */
    record Cleanup(boolean done, Optional<Duration> retryAfter, List<JobEvent> events) {}

    /** A task to stop, where it runs. */
    private record Place(String region, String cluster) {}

    JobCleaner(AwsClients aws, AwsTrouble trouble) {
        this.aws = aws;
        this.trouble = trouble;
    }

    /** @param role the role the job's tasks were launched as; null for the operator's own */
    Cleanup cleanup(IiifJobBinding binding, AwsClients.Role role) {
        IiifJob job = binding.job();
        List<JobEvent> events = new ArrayList<>();
        IiifJobStatus status = job.getStatus() == null ? IiifJobStatus.EMPTY : job.getStatus();
        List<TaskStatus> active =
                status.tasks().stream().filter(TaskStatus::isActive).toList();
        if (binding.storedText("deletionPolicy")
                .filter(DeletionPolicy.Orphan.name()::equals)
                .isPresent()) {
            if (!active.isEmpty()) {
                log.info("job={} event=Orphaned tasks={}", job.namespacedName(), active.size());
            }
            return new Cleanup(true, Optional.empty(), events);
        }
        String uid = job.getMetadata().getUid();
        String reason = TaskLabels.stopReason(job, "deleted");
        Map<String, Place> toStop = new LinkedHashMap<>();
        active.forEach(t -> toStop.put(t.taskArn(), new Place(t.region(), t.cluster())));
        SdkException trouble = null;
        try {
            strays(binding, role).forEach(toStop::putIfAbsent);
        } catch (SdkException e) {
            trouble = e;
        }
        for (var task : toStop.entrySet()) {
            try {
                new EcsTasks(aws.as(role).ecs(task.getValue().region()))
                        .stop(task.getValue().cluster(), task.getKey(), reason);
                events.add(JobEvent.normal("StoppingTask", "Stopping task " + task.getKey() + ": the job is deleted")
                        .about(task.getKey()));
            } catch (SdkException e) {
                if (!unknownToEcs(e)) {
                    trouble = e;
                }
            }
        }
        if (trouble != null) {
            String message = "Cannot stop the job's tasks: " + AwsErrors.describe(trouble)
                    + (AwsErrors.isTransient(trouble)
                            ? ""
                            : "; set spec.deletionPolicy to Orphan to delete the job without stopping them");
            events.add(JobEvent.warning("CleanupFailed", message));
            Duration wait = AwsErrors.isTransient(trouble) ? this.trouble.next(uid, trouble) : Duration.ofMinutes(1);
            return new Cleanup(false, Optional.of(wait), events);
        }
        this.trouble.clear(uid);
        return new Cleanup(true, Optional.empty(), events);
    }

    /**
     * Tasks ECS runs for the job that status may not record (a crash right after RunTask). The
     * cluster and region are read from the stored spec, even one that does not fit its types.
     */
    private Map<String, Place> strays(IiifJobBinding binding, AwsClients.Role role) {
        IiifJob job = binding.job();
        Map<String, Place> found = new LinkedHashMap<>();
        if (!binding.storedText("mode").orElse(Mode.Task.name()).equals(Mode.Task.name())) {
            return found;
        }
        Optional<String> cluster = binding.storedText("task", "cluster");
        if (cluster.isEmpty()) {
            return found;
        }
        String region;
        try {
            region = aws.region(binding.storedText("region").orElse(null)).id();
        } catch (IllegalArgumentException e) {
            // No AWS call was ever possible for this job, so it started no task.
            return found;
        }
        try {
            new EcsTasks(aws.as(role).ecs(region))
                    .listStartedBy(cluster.get(), job.getMetadata().getUid(), DesiredStatus.RUNNING)
                    .forEach(arn -> found.put(arn, new Place(region, cluster.get())));
        } catch (ClusterNotFoundException e) {
            // No cluster, no task.
        }
        return found;
    }

    /** ECS no longer knows the task or its cluster: there is nothing left to stop. */
    private static boolean unknownToEcs(SdkException e) {
        if (e instanceof ClusterNotFoundException) {
            return true;
        }
        String message = String.valueOf(AwsErrors.describe(e)).toLowerCase(Locale.ROOT);
        return message.contains("task was not found") || message.contains("task not found");
    }
}
