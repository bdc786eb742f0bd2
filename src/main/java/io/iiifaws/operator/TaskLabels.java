package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.iiifaws.ecs.TaskObservation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a task names the job run it belongs to. ECS keeps the environment overrides for as long as
 * it knows the task, while StopTask deletes tags, so the environment is read first.
 */
public final class TaskLabels {
    public static final String ENV_JOB = "IIIF_AWS_JOB";
    public static final String ENV_BATCH = "IIIF_AWS_BATCH";
    public static final String ENV_ATTEMPT = "IIIF_AWS_ATTEMPT";
    public static final String TAG_PREFIX = "iiif-aws.io/";
    public static final String TAG_NAMESPACE = TAG_PREFIX + "namespace";
    public static final String TAG_JOB = TAG_PREFIX + "job";
    public static final String TAG_BATCH = TAG_PREFIX + "batch";
    public static final String TAG_ATTEMPT = TAG_PREFIX + "attempt";
    /** Starts the reason of every StopTask the operator sends, so it knows its own stops. */
    public static final String STOP_MARKER = "iiif-aws:";

    private TaskLabels() {}

    /** One run of one batch of a job. */
    public record RunId(int batch, int attempt) {}

    public static Map<String, String> environment(IiifJob job, RunId run) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(ENV_JOB, job.namespacedName());
        env.put(ENV_BATCH, Integer.toString(run.batch()));
        env.put(ENV_ATTEMPT, Integer.toString(run.attempt()));
        return env;
    }

    /** The operator's own tags; spec.task.tags come with the task template. */
    public static Map<String, String> tags(IiifJob job, RunId run) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TAG_NAMESPACE, job.getMetadata().getNamespace());
        tags.put(TAG_JOB, job.getMetadata().getName());
        tags.put(TAG_BATCH, Integer.toString(run.batch()));
        tags.put(TAG_ATTEMPT, Integer.toString(run.attempt()));
        return tags;
    }

    /**
     * RunTask's idempotency token for a run: ECS answers a repeated token with the task it started
     * the first time. After ECS refused to place a run, the token changes with the number of
     * refusals, so that ECS cannot answer the retry with the old refusal; a token changes only after
     * status recorded that its launch started no task. The UID is 36 characters, so the token stays
     * under ECS's 64.
     */
    public static String clientToken(IiifJob job, RunId run, int refusals) {
        String token = job.getMetadata().getUid() + "-" + run.batch() + "-" + run.attempt();
        return refusals == 0 ? token : token + "-r" + refusals;
    }

    /** The run a task found in ECS belongs to, if it carries the labels. */
    public static Optional<RunId> runOf(TaskObservation task) {
        Optional<String> batch = task.label(ENV_BATCH, TAG_BATCH);
        Optional<String> attempt = task.label(ENV_ATTEMPT, TAG_ATTEMPT);
        if (batch.isEmpty() || attempt.isEmpty()) {
            return Optional.empty();
        }
        try {
            RunId run = new RunId(Integer.parseInt(batch.get()), Integer.parseInt(attempt.get()));
            return run.batch() >= 0 && run.attempt() >= 1 ? Optional.of(run) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static String stopReason(IiifJob job, String why) {
        return STOP_MARKER + " IiifJob " + job.namespacedName() + " " + why;
    }
}
