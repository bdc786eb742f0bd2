package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.Objects;
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
  private final JobCleaner cleaner;
  private final EventRecorder events;

  public IiifJobReconciler(JobRunner runner, JobCleaner cleaner, EventRecorder events) {
    this.runner = runner;
    this.cleaner = cleaner;
    this.events = events;
  }

  @Override
  public UpdateControl<IiifJob> reconcile(IiifJob job, Context<IiifJob> context) {
    JobRunner.Pass pass = runner.reconcile(job);
    if (!Objects.equals(pass.status(), job.getStatus())) {
      PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(
          job,
          context,
          r -> {
            r.setStatus(pass.status());
            return r;
          });
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

  @Override
  public DeleteControl cleanup(IiifJob job, Context<IiifJob> context) {
    runner.forget(job);
    JobCleaner.Cleanup result = cleaner.cleanup(job);
    events.record(job, result.events());
    if (result.done()) {
      return DeleteControl.defaultDelete();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(result.retryAfter().orElseThrow().toMillis());
  }
}
