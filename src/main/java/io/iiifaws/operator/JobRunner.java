package io.iiifaws.operator;

import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.Mode;
import io.iiifaws.aws.AwsClients;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One reconciliation of a job, apart from Kubernetes: validates the spec, runs Task or Invoke mode,
 * and says what status to write, what events to record and when to look again.
 */
public final class JobRunner {
  /** What one pass decided. */
  public record Pass(IiifJobStatus status, List<JobEvent> events, Optional<Duration> requeue, boolean delete) {}

  private final SpecValidator validator;
  private final EcsRunner ecs;
  private final LambdaRunner lambda;
  private final OperatorSettings settings;
  private final Clock clock;

  public JobRunner(AwsClients aws, OperatorSettings settings, JobMetrics metrics, Clock clock) {
    AwsTrouble trouble = new AwsTrouble(settings.backoffs());
    this.validator = new SpecValidator(aws);
    this.ecs = new EcsRunner(aws, settings, trouble, metrics);
    this.lambda = new LambdaRunner(aws, settings, trouble);
    this.settings = settings;
    this.clock = clock;
  }

  public Pass reconcile(IiifJob job) {
    Instant now = clock.instant();
    IiifJob current = retryIfSpecFixed(job);
    JobProgress progress;
    JobPlan plan;
    try {
      plan = validator.plan(current);
      progress = new JobProgress(current, plan.batches(), now, settings.backoffs());
    } catch (InvalidSpecException e) {
      progress = new JobProgress(current, List.of(), now, settings.backoffs());
      if (!progress.isFinished()) {
        progress.fail("InvalidSpec", e.getMessage());
      }
      return new Pass(progress.toStatus(), progress.events(), Optional.empty(), false);
    }
    if (progress.isFinished()) {
      return afterFinish(current, progress, now);
    }
    Optional<Duration> requeue =
        plan.mode() == Mode.Task ? ecs.reconcile(plan, progress) : lambda.reconcile(plan, progress);
    if (progress.isFinished()) {
      Pass finished = afterFinish(current, progress, now);
      return new Pass(progress.toStatus(), progress.events(), finished.requeue(), finished.delete());
    }
    return new Pass(progress.toStatus(), progress.events(), requeue, false);
  }

  /** Forgets what is kept in memory for a job that is gone. */
  public void forget(IiifJob job) {
    lambda.cancel(job.getMetadata().getUid());
  }

  /** A job that failed validation gets another chance once its spec changes. */
  private static IiifJob retryIfSpecFixed(IiifJob job) {
    IiifJobStatus status = job.getStatus();
    if (status == null) {
      return job;
    }
    Optional<Condition> failed = status.condition(Condition.FAILED).filter(Condition::isTrue);
    Long generation = job.getMetadata().getGeneration();
    boolean specChanged = generation != null && !generation.equals(status.observedGeneration());
    if (failed.isPresent() && "InvalidSpec".equals(failed.get().reason()) && specChanged) {
      IiifJob retry = new IiifJob();
      retry.setMetadata(job.getMetadata());
      retry.setSpec(job.getSpec());
      retry.setStatus(null);
      return retry;
    }
    return job;
  }

  /** ttlSecondsAfterFinished: delete the job when its time is up. */
  private static Pass afterFinish(IiifJob job, JobProgress progress, Instant now) {
    IiifJobStatus status = progress.toStatus();
    Integer ttl = job.getSpec() == null ? null : job.getSpec().ttlSecondsAfterFinished();
    if (ttl == null || status.completionTime() == null) {
      return new Pass(status, progress.events(), Optional.empty(), false);
    }
    Instant expiry = Times.parse(status.completionTime()).plusSeconds(ttl);
    if (!now.isBefore(expiry)) {
      return new Pass(status, progress.events(), Optional.empty(), true);
    }
    return new Pass(status, progress.events(), Optional.of(Duration.between(now, expiry)), false);
  }
}
