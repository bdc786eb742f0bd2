package io.iiifaws.operator;

import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobBinding;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.Mode;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.ecs.EcsTasks;
import io.iiifaws.ecs.TaskDefinitions;
import io.iiifaws.ecs.TaskTracker;
import io.iiifaws.policy.JobPolicies;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One reconciliation of a job, apart from Kubernetes: validates the spec, runs Task or Invoke mode,
 * and says what status to write, what events to record and when to look again.
 */
public final class JobRunner implements AutoCloseable {
    /** The longest a task launched waits for its first describe. */
    static final Duration FIRST_LOOK = Duration.ofSeconds(1);

    /** What one pass decided. */
    public record Pass(IiifJobStatus status, List<JobEvent> events, Optional<Duration> requeue, boolean delete) {}

    private final SpecValidator validator;
    private final AwsTrouble trouble;
    private final TaskTracking tracking;
    private final JobCleaner cleaner;
    private final EcsRunner ecs;
    private final LambdaRunner lambda;
    private final ReportChecks checks;
    private final OperatorSettings settings;
    private final Clock clock;
    private final TaskTracker<ResourceID> tracker;
    private final JobMemory memory = new JobMemory();
    private final SourceListings sources;
    /** Keys a ListObjectsV2 call of a source listing asks for: S3's most. */
    static final int SOURCE_PAGE = 1000;

    private final JobPolicyCatalog policies;

    private volatile Consumer<ResourceID> wake = job -> {};

    /** A runner for a cluster without IiifJobPolicies. */
    public JobRunner(AwsClients aws, OperatorSettings settings, JobMetrics metrics, Clock clock) {
        this(aws, settings, metrics, clock, new JobPolicyCatalog(null, settings.commandsWithoutPolicy()));
    }

    JobRunner(AwsClients aws, OperatorSettings settings, JobMetrics metrics, Clock clock, JobPolicyCatalog policies) {
        this.policies = policies;
        JobAws jobAws = new JobAws(aws, memory);
        this.trouble = new AwsTrouble(memory, settings.backoffs());
        this.tracker = new TaskTracker<>(
                place -> new EcsTasks(aws.as(place.role()).ecs(place.region())),
                settings.pollInterval(),
                FIRST_LOOK,
                clock,
                job -> wake.accept(job));
        this.tracking = new TaskTracking(jobAws, settings, tracker, memory);
        this.validator = new SpecValidator(aws, settings.reports());
        this.checks = new ReportChecks(jobAws, trouble, memory, settings.safetyLook());
        this.sources = new SourceListings(jobAws, memory, trouble, SOURCE_PAGE, clock);
        this.ecs = new EcsRunner(
                jobAws,
                settings,
                tracking,
                trouble,
                metrics,
                checks,
                new TaskDefinitions(clock),
                memory,
                sources,
                this::waker);
        this.lambda = new LambdaRunner(jobAws, settings, tracking, trouble, checks, memory, this::waker);
        this.cleaner = new JobCleaner(aws, trouble);
        this.settings = settings;
        this.clock = clock;
    }

    public Pass reconcile(IiifJob job) {
        return reconcile(IiifJobBinding.of(job));
    }

    /** Told which job to look at when one of its tasks changed. */
    public void wakeWith(Consumer<ResourceID> wakeJob) {
        this.wake = wakeJob;
    }

    /** Wakes the job for a pass, as a change of one of its tasks does. */
    private Runnable waker(IiifJob job) {
        ResourceID id = idOf(job);
        return () -> wake.accept(id);
    }

    /** A status write of the job failed: what it recorded may be lost, launches included. */
    void statusWriteFailed(IiifJob job) {
        memory.of(job.getMetadata().getUid()).straysListed = false;
    }

    /** The jobs the operator keeps something of in memory. */
    int remembered() {
        return memory.size();
    }

    /** The operator stopped reconciling: no task is followed until passes follow them again. */
    public void pause() {
        tracker.forgetAll();
        memory.cancelListings();
    }

    /** The tracker every pass reads its tasks from. */
    public TaskTracker<ResourceID> tracker() {
        return tracker;
    }

    @Override
    public void close() {
        tracker.close();
        sources.close();
        policies.stop();
    }

    /**
     * One pass over a job as it was stored: a spec that does not fit its types is an invalid spec.
     * Afterwards the tracker follows the tasks the new status names as active.
     */
    public Pass reconcile(IiifJobBinding binding) {
        Pass pass = pass(binding);
        ResourceID id = idOf(binding.job());
        if (pass.status().isFinished() || pass.delete()) {
            tracker.forget(id);
        } else {
            tracking.followActive(binding.job(), id, pass.status());
        }
        return pass;
    }

    static ResourceID idOf(IiifJob job) {
        return new ResourceID(job.getMetadata().getName(), job.getMetadata().getNamespace());
    }

    private Pass pass(IiifJobBinding binding) {
        Instant now = clock.instant();
        IiifJob current = retryIfSpecFixed(binding.job());
        JobProgress progress;
        JobPlan plan;
        try {
            if (binding.specProblem().isPresent()) {
                throw new InvalidSpecException(binding.specProblem().get());
            }
            plan = validator.plan(current);
            allow(current, plan);
            progress = new JobProgress(current, plan.batches(), now, settings.backoffs());
            if (binding.statusProblem().isPresent()) {
                progress.event(JobEvent.warning(
                        "StatusUnreadable",
                        binding.statusProblem().get()
                                + "; the operator starts the status again, and takes in the job's tasks from ECS"));
            }
        } catch (InvalidSpecException e) {
            progress = new JobProgress(current, List.of(), now, settings.backoffs());
            if (progress.isFinished()) {
                return afterFinish(current, progress, now);
            }
            // A spec that became impossible while tasks run: stop them first, as for any failure.
            progress.failureTarget(e.reason(), e.getMessage());
            Optional<Duration> draining = tracking.drainThenFail(current, progress, null);
            if (draining.isPresent()) {
                return new Pass(progress.toStatus(), progress.events(), draining, false);
            }
            return afterFinish(current, progress, now);
        }
        if (progress.isFinished()) {
            return afterFinish(current, progress, now);
        }
        Optional<Duration> requeue =
                plan.mode() == Mode.Task ? ecs.reconcile(plan, progress) : lambda.reconcile(plan, progress);
        if (progress.isFinished()) {
            forget(current);
            return afterFinish(current, progress, now);
        }
        return new Pass(progress.toStatus(), progress.events(), requeue, false);
    }

    /**
     * The status a pass wanted to write does not fit next to the spec in what the API server stores:
     * the job's running tasks are stopped and it fails with a status that keeps its conditions and
     * counters, and no list of batches or tasks.
     */
    Pass statusTooLarge(IiifJobBinding binding, Pass wanted, String apiMessage) {
        IiifJob job = binding.job();
        IiifJob asWanted = new IiifJob();
        asWanted.setMetadata(job.getMetadata());
        asWanted.setSpec(job.getSpec());
        asWanted.setStatus(wanted.status());
        JobProgress progress = new JobProgress(asWanted, List.of(), clock.instant(), settings.backoffs());
        progress.events().addAll(wanted.events());
        tracking.stopActive(job, progress, "StatusTooLarge");
        progress.fail(
                "StatusTooLarge",
                "The job's status no longer fits next to its spec in what the API server stores ("
                        + io.iiifaws.aws.AwsErrors.scrub(apiMessage)
                        + "); its running tasks were stopped. Split the job into smaller ones");
        forget(job);
        IiifJobStatus full = progress.toStatus();
        IiifJobStatus small = new IiifJobStatus(
                full.phase(),
                full.observedGeneration(),
                full.startTime(),
                full.completionTime(),
                full.progress(),
                0,
                full.succeeded(),
                full.failed(),
                full.conditions(),
                null,
                null,
                null,
                full.reports(),
                full.images(),
                full.imageProgress(),
                full.source(),
                full.batchesDone(),
                full.results());
        return new Pass(small, progress.events(), Optional.empty(), false);
    }

    /**
     * Asks the IiifJobPolicies before any AWS call for the job, and keeps the role the allowing
     * policy names for the job's calls.
     */
    private void allow(IiifJob job, JobPlan plan) throws InvalidSpecException {
        JobPolicies.Verdict verdict = policies.check(job, plan.region().id());
        if (verdict instanceof JobPolicies.Denied denied) {
            throw new InvalidSpecException("PolicyDenied", denied.message());
        }
        JobPolicies.Allowed allowed = (JobPolicies.Allowed) verdict;
        JobMemory.Entry remembered = memory.of(job.getMetadata().getUid());
        remembered.policy = allowed.by().orElse(null);
        remembered.role = JobPolicyCatalog.role(job, allowed);
    }

    /**
     * Deleting a job: stops its tasks unless it orphans them, as the role they were launched as
     * (as the last pass found it, or the policies say now).
     */
    JobCleaner.Cleanup cleanup(IiifJobBinding binding) {
        IiifJob job = binding.job();
        AwsClients.Role role = memory.of(job.getMetadata().getUid()).role;
        if (role == null && binding.specProblem().isEmpty()) {
            try {
                if (policies.check(job, validator.plan(job).region().id()) instanceof JobPolicies.Allowed allowed) {
                    role = JobPolicyCatalog.role(job, allowed);
                }
            } catch (InvalidSpecException | RuntimeException e) {
                // No plan, no policy: the operator's own identity stops what it can.
            }
        }
        forget(job);
        return cleaner.cleanup(binding, role);
    }

    /** Lists and watches the IiifJobPolicies; passes wait for it. */
    void startPolicies() {
        policies.start();
    }

    void stopPolicies() {
        policies.stop();
    }

    /** Writes which namespaces several policies select into their status. */
    void writeSharedNamespaces() {
        policies.writeShared();
    }

    /** Told, on an informer's thread, when a policy or a namespace changed. */
    void onPolicyChange(Runnable told) {
        policies.onChange(told);
    }

    /** Forgets what is kept in memory for a job that finished or is gone. */
    private void forget(IiifJob job) {
        memory.forget(job.getMetadata().getUid());
        tracker.forget(idOf(job));
    }

    /**
     * A job that failed validation before launching anything gets another chance once its spec
     * changes.
     */
    private static IiifJob retryIfSpecFixed(IiifJob job) {
        IiifJobStatus status = job.getStatus();
        if (status == null || !status.tasks().isEmpty() || status.invocation() != null) {
            return job;
        }
        Optional<Condition> failed = status.condition(Condition.FAILED).filter(Condition::isTrue);
        Long generation = job.getMetadata().getGeneration();
        boolean specChanged = generation != null && !generation.equals(status.observedGeneration());
        boolean refused = failed.isPresent()
                && ("InvalidSpec".equals(failed.get().reason())
                        || "PolicyDenied".equals(failed.get().reason()));
        if (refused && specChanged) {
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
