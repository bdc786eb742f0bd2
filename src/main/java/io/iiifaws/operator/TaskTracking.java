package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.ecs.EcsTasks;
import io.iiifaws.ecs.TaskObservation;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Following and stopping a job's recorded tasks, shared by Task and Invoke mode. Each task is
 * asked about in the region and cluster it runs in, as its status records them.
 */
final class TaskTracking {
  private static final Logger log = LoggerFactory.getLogger(TaskTracking.class);

  private final AwsClients aws;
  private final OperatorSettings settings;
  /** Tasks whose StopTask was refused for good: the Warning event is recorded once. */
  private final Set<String> stopRefused = ConcurrentHashMap.newKeySet();

  TaskTracking(AwsClients aws, OperatorSettings settings) {
    this.aws = aws;
    this.settings = settings;
  }

  /**
   * Describes every active task and takes the answers into the progress.
   *
   * @throws SdkException when DescribeTasks fails; nothing is recorded then
   */
  void observe(JobProgress progress, String container) {
    Map<List<String>, List<TaskStatus>> byPlace = progress.activeTasks().stream()
        .collect(Collectors.groupingBy(t -> List.of(t.region(), t.cluster())));
    for (var place : byPlace.entrySet()) {
      EcsTasks ecs = new EcsTasks(aws.ecs(place.getKey().get(0)));
      List<TaskStatus> tasks = place.getValue();
      Map<String, TaskObservation> seen = ecs.describe(place.getKey().get(1), tasks.stream().map(TaskStatus::taskArn).toList());
      for (TaskStatus task : tasks) {
        progress.observe(task, seen.get(task.taskArn()), container, settings.missingGrace());
      }
    }
  }

  /**
   * Describes the active tasks as {@link #observe} does, and deals with an AWS error: returns the
   * wait before the next try when it may pass; otherwise stops what ECS lets it stop and fails the
   * job, which can no longer follow its tasks. Empty when the tasks were described or the job
   * failed.
   */
  Optional<Duration> follow(IiifJob job, JobProgress progress, String container, AwsTrouble trouble) {
    try {
      observe(progress, container);
      return Optional.empty();
    } catch (SdkException e) {
      Optional<Duration> retry = trouble.onError(progress, job.getMetadata().getUid(), "DescribeTasks", e);
      if (retry.isEmpty()) {
        stopActive(job, progress, "AwsError");
        progress.failAsTargeted();
      }
      return retry;
    }
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
        new EcsTasks(aws.ecs(task.region())).stop(task.cluster(), task.taskArn(), TaskLabels.stopReason(job, why));
        progress.stopRequested(task);
        progress.event(JobEvent.normal("StoppingTask", "Stopping task " + task.taskArn() + ": " + why).about(task.taskArn()));
      } catch (SdkException e) {
        if (AwsErrors.isTransient(e)) {
          log.warn("job={} task={} event=StopRetry error=\"{}\"", job.namespacedName(), task.taskArn(), AwsErrors.describe(e));
        } else if (stopRefused.add(task.taskArn())) {
          progress.event(JobEvent.warning("StopFailed", "StopTask " + task.taskArn() + ": " + AwsErrors.describe(e)).about(task.taskArn()));
        }
      }
    }
  }
}
