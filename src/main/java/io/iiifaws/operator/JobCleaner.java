package io.iiifaws.operator;

import io.iiifaws.api.DeletionPolicy;
import io.iiifaws.api.IiifJob;
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
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;

/**
 * Deleting a job: stops its running tasks (deletionPolicy StopTasks), both those status records and
 * those ECS lists as started by the job, so a task launched just before a crash is not left behind.
 */
final class JobCleaner {
  private static final Logger log = LoggerFactory.getLogger(JobCleaner.class);

  private final AwsClients aws;
  private final AwsTrouble trouble;

  /** What the deletion came to. */
  record Cleanup(boolean done, Optional<Duration> retryAfter, List<JobEvent> events) {}

  JobCleaner(AwsClients aws, AwsTrouble trouble) {
    this.aws = aws;
    this.trouble = trouble;
  }

  Cleanup cleanup(IiifJob job) {
    List<JobEvent> events = new ArrayList<>();
    IiifJobStatus status = job.getStatus() == null ? IiifJobStatus.EMPTY : job.getStatus();
    List<TaskStatus> active = status.tasks().stream().filter(TaskStatus::isActive).toList();
    if (job.getSpec() != null && job.getSpec().deletionPolicy() == DeletionPolicy.Orphan) {
      if (!active.isEmpty()) {
        log.info("job={} event=Orphaned tasks={}", job.namespacedName(), active.size());
      }
      return new Cleanup(true, Optional.empty(), events);
    }
    String region;
    try {
      region = aws.region(job.getSpec() == null ? null : job.getSpec().region()).id();
    } catch (IllegalArgumentException e) {
      // No AWS call was ever possible for this job, so it has no tasks.
      return new Cleanup(true, Optional.empty(), events);
    }
    EcsTasks ecs = new EcsTasks(aws.ecs(region));
    String uid = job.getMetadata().getUid();
    String reason = TaskLabels.stopReason(job, "deleted");
    try {
      Map<String, String> toStop = new LinkedHashMap<>();
      active.forEach(t -> toStop.put(t.taskArn(), t.cluster()));
      String cluster = job.getSpec() != null && job.getSpec().mode() == Mode.Task && job.getSpec().task() != null
          ? job.getSpec().task().cluster() : null;
      if (cluster != null && !cluster.isBlank()) {
        ecs.listStartedBy(cluster, uid, DesiredStatus.RUNNING).forEach(arn -> toStop.putIfAbsent(arn, cluster));
      }
      for (var task : toStop.entrySet()) {
        ecs.stop(task.getValue(), task.getKey(), reason);
        events.add(JobEvent.normal("StoppingTask", "Stopping task " + task.getKey() + ": the job is deleted").about(task.getKey()));
      }
    } catch (SdkException e) {
      String message = "Cannot stop the job's tasks: " + AwsErrors.describe(e)
          + (AwsErrors.isTransient(e) ? "" : "; set spec.deletionPolicy to Orphan to delete the job without stopping them");
      events.add(JobEvent.warning("CleanupFailed", message));
      Duration wait = AwsErrors.isTransient(e) ? trouble.next(uid) : Duration.ofMinutes(1);
      return new Cleanup(false, Optional.of(wait), events);
    }
    trouble.clear(uid);
    return new Cleanup(true, Optional.empty(), events);
  }
}
