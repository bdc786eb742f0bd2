package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.ecs.EcsTasks;
import io.iiifaws.ecs.TaskObservation;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/** Following and stopping a job's recorded tasks, shared by Task and Invoke mode. */
final class TaskTracking {
  private static final Logger log = LoggerFactory.getLogger(TaskTracking.class);

  private final AwsClients aws;
  private final OperatorSettings settings;

  TaskTracking(AwsClients aws, OperatorSettings settings) {
    this.aws = aws;
    this.settings = settings;
  }

  /**
   * Describes every active task and takes the answers into the progress.
   *
   * @throws SdkException when DescribeTasks fails; nothing is recorded then
   */
  void observe(String region, IiifJob job, JobProgress progress, String container) {
    List<TaskStatus> active = progress.activeTasks();
    if (active.isEmpty()) {
      return;
    }
    Map<String, List<TaskStatus>> byCluster =
        active.stream().collect(Collectors.groupingBy(TaskStatus::cluster));
    EcsTasks ecs = new EcsTasks(aws.ecs(region));
    for (var entry : byCluster.entrySet()) {
      List<TaskStatus> tasks = entry.getValue();
      List<TaskObservation> seen =
          ecs.describe(entry.getKey(), tasks.stream().map(TaskStatus::taskArn).toList());
      for (int i = 0; i < tasks.size(); i++) {
        progress.observe(tasks.get(i), seen.get(i), container, settings.missingGrace());
      }
    }
  }

  /**
   * Asks ECS to stop every active task not yet asked. A failure is logged and recorded as an
   * event; the next pass asks again.
   */
  void stopActive(String region, IiifJob job, JobProgress progress, String why) {
    EcsTasks ecs = new EcsTasks(aws.ecs(region));
    for (TaskStatus task : progress.activeTasks()) {
      if (TaskObservation.STOPPED.equals(task.desiredStatus())) {
        continue;
      }
      try {
        ecs.stop(task.cluster(), task.taskArn(), TaskLabels.stopReason(job, why));
        progress.stopRequested(task);
        progress.event(JobEvent.normal("StoppingTask", "Stopping task " + task.taskArn() + ": " + why).about(task.taskArn()));
      } catch (SdkException e) {
        if (AwsErrors.isTransient(e)) {
          log.warn("job={} task={} event=StopRetry error=\"{}\"", job.namespacedName(), task.taskArn(), AwsErrors.describe(e));
        } else {
          progress.event(JobEvent.warning("StopFailed", "StopTask " + task.taskArn() + ": " + AwsErrors.describe(e)).about(task.taskArn()));
        }
      }
    }
  }
}
