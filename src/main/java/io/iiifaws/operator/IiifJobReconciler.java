package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.TaskStatus;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.MDC;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JOSDK side of the operator: runs a pass of {@link JobRunner}, writes the status when it
 * changed (and caches it, so the next pass reads its own write), records events, and requeues.
 */
@ControllerConfiguration(name = IiifJobReconciler.NAME)
public class IiifJobReconciler implements Reconciler<IiifJob>, Cleaner<IiifJob> {
  public static final String NAME = "iiifjob";
  private static final Logger log = LoggerFactory.getLogger(IiifJobReconciler.class);

  private final JobRunner runner;
  private final EventRecorder events;
  private final JobMetrics metrics;

  public IiifJobReconciler(JobRunner runner, EventRecorder events, JobMetrics metrics) {
    this.runner = runner;
    this.events = events;
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<IiifJob> reconcile(IiifJob job, Context<IiifJob> context) {
    MDC.put("job", job.namespacedName());
    try {
      return reconcileJob(job, context);
    } finally {
      MDC.remove("job");
    }
  }

  private UpdateControl<IiifJob> reconcileJob(IiifJob job, Context<IiifJob> context) {
    JobRunner.Pass pass = runner.reconcile(job);
    IiifJobStatus before = job.getStatus() == null ? IiifJobStatus.EMPTY : job.getStatus();
    if (!Objects.equals(pass.status(), job.getStatus())) {
      PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(
          job,
          context,
          r -> {
            r.setStatus(pass.status());
            return r;
          });
      count(job, before, pass.status());
    }
    events.record(job, pass.events());
    if (pass.delete()) {
      log.info("job={} event=Deleted reason=ttlSecondsAfterFinished", job.namespacedName());
      context.getClient().resource(job).delete();
      return UpdateControl.noUpdate();
    }
    UpdateControl<IiifJob> control = UpdateControl.noUpdate();
    return pass.requeue().map(control::rescheduleAfter).orElse(control);
  }

  /** Metrics of what the status write recorded: tasks that stopped, the job's end. */
  private void count(IiifJob job, IiifJobStatus before, IiifJobStatus after) {
    Set<String> stoppedBefore = before.tasks().stream().filter(t -> !t.isActive()).map(TaskStatus::taskArn).collect(Collectors.toSet());
    after.tasks().stream().filter(t -> !t.isActive() && !stoppedBefore.contains(t.taskArn()))
        .forEach(t -> metrics.taskFinished(job, t));
    if (after.isFinished() && !before.isFinished()) {
      metrics.jobFinished(job, after);
    }
  }

  @Override
  public DeleteControl cleanup(IiifJob job, Context<IiifJob> context) {
    JobCleaner.Cleanup result = runner.cleanup(job);
    events.record(job, result.events());
    if (result.done()) {
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(result.retryAfter().orElseThrow().toMillis());
  }
}
