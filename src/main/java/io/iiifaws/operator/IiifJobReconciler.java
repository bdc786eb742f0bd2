package io.iiifaws.operator;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobBinding;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.StoredIiifJob;
import io.iiifaws.api.TaskStatus;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The JOSDK side of the operator: reads the stored job into its types, runs a pass of {@link
 * JobRunner}, writes the status when it changed (and caches it, so the next pass reads its own
 * write), records events, and requeues. It watches jobs as stored, so that no object can stop it.
 */
@ControllerConfiguration(name = IiifJobReconciler.NAME)
public class IiifJobReconciler implements Reconciler<StoredIiifJob>, Cleaner<StoredIiifJob> {
    public static final String NAME = "iiifjob";
    private static final Logger log = LoggerFactory.getLogger(IiifJobReconciler.class);

    private final JobRunner runner;
    private final EventRecorder events;
    private final JobMetrics metrics;
    private final Runnable forbidden;

    /** @param forbidden told when the API server refused a call for want of permission */
    public IiifJobReconciler(JobRunner runner, EventRecorder events, JobMetrics metrics, Runnable forbidden) {
        this.runner = runner;
        this.events = events;
        this.metrics = metrics;
        this.forbidden = forbidden;
    }

    /** Each start of the operator gets its own source of task changes; the runner wakes jobs through it. */
    @Override
    public List<EventSource<?, StoredIiifJob>> prepareEventSources(EventSourceContext<StoredIiifJob> context) {
        TaskChanges changes = new TaskChanges();
        runner.wakeWith(changes::wake);
        return List.of(changes);
    }

    @Override
    public UpdateControl<StoredIiifJob> reconcile(StoredIiifJob stored, Context<StoredIiifJob> context) {
        MDC.put("job", stored.namespacedName());
        try {
            return reconcileJob(stored, context);
        } catch (KubernetesClientException e) {
            throw sayIfForbidden(stored, e);
        } finally {
            MDC.remove("job");
        }
    }

    /** A refusal for want of permission is logged as such; JOSDK retries the pass, backing off. */
    private KubernetesClientException sayIfForbidden(StoredIiifJob stored, KubernetesClientException e) {
        if (e.getCode() == 403) {
            log.error("job={} event=Forbidden error=\"{}\"", stored.namespacedName(), Permissions.message(e));
            forbidden.run();
        }
        return e;
    }

    private UpdateControl<StoredIiifJob> reconcileJob(StoredIiifJob stored, Context<StoredIiifJob> context) {
        IiifJobBinding binding = IiifJobBinding.of(stored);
        IiifJob job = binding.job();
        JobRunner.Pass pass = runner.reconcile(binding);
        IiifJobStatus before = job.getStatus() == null ? IiifJobStatus.EMPTY : job.getStatus();
        JsonNode written = IiifJobBinding.toJson(pass.status());
        if (!Objects.equals(written, stored.getStatus())) {
            try {
                writeStatus(stored, context, written);
            } catch (KubernetesClientException e) {
                if (!StoredSize.isTooLarge(e)) {
                    runner.statusWriteFailed(job);
                    throw e;
                }
                // The object with this status no longer fits what the API server stores: end the job
                // with a status small enough to be written, rather than trying again without end.
                pass = runner.statusTooLarge(binding, pass, e.getMessage());
                writeStatus(stored, context, IiifJobBinding.toJson(pass.status()));
            }
            count(job, before, pass.status());
        }
        events.record(job, pass.events());
        if (pass.delete()) {
            log.info("job={} event=Deleted reason=ttlSecondsAfterFinished", stored.namespacedName());
            context.getClient().resource(stored).delete();
            return UpdateControl.noUpdate();
        }
        UpdateControl<StoredIiifJob> control = UpdateControl.noUpdate();
        return pass.requeue().map(control::rescheduleAfter).orElse(control);
    }

    private static void writeStatus(StoredIiifJob stored, Context<StoredIiifJob> context, JsonNode status) {
        PrimaryUpdateAndCacheUtils.patchStatusAndCacheResource(stored, context, r -> {
            r.setStatus(status);
            return r;
        });
    }

    /** Metrics of what the status write recorded: tasks that stopped, the job's end. */
    private void count(IiifJob job, IiifJobStatus before, IiifJobStatus after) {
        Set<String> stoppedBefore = before.tasks().stream()
                .filter(t -> !t.isActive())
                .map(TaskStatus::taskArn)
                .collect(Collectors.toSet());
        after.tasks().stream()
                .filter(t -> !t.isActive() && !stoppedBefore.contains(t.taskArn()))
                .forEach(t -> metrics.taskFinished(job, t));
        if (after.isFinished() && !before.isFinished()) {
            metrics.jobFinished(job, after);
        }
    }

    @Override
    public DeleteControl cleanup(StoredIiifJob stored, Context<StoredIiifJob> context) {
        MDC.put("job", stored.namespacedName());
        try {
            return cleanupJob(stored);
        } catch (KubernetesClientException e) {
            throw sayIfForbidden(stored, e);
        } finally {
            MDC.remove("job");
        }
    }

    private DeleteControl cleanupJob(StoredIiifJob stored) {
        IiifJobBinding binding = IiifJobBinding.of(stored);
        JobCleaner.Cleanup result = runner.cleanup(binding);
        events.record(binding.job(), result.events());
        if (result.done()) {
            return DeleteControl.defaultDelete();
        }
        return DeleteControl.noFinalizerRemoval()
                .rescheduleAfter(result.retryAfter().orElseThrow().toMillis());
    }
}
