package io.iiifaws.operator;

import io.iiifaws.api.BatchStatus;
import io.iiifaws.api.Phase;
import io.iiifaws.api.TaskResult;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.ecs.ContainerLogs;
import io.iiifaws.ecs.TaskDefinitions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * Reads the last lines of the go-iiif container's CloudWatch log for a run that failed or whose
 * images go-iiif failed, once a run: they go into an event and, for a failed run, its batch's
 * message, which a BackoffLimitExceeded failure quotes. A log that cannot be read is a note in
 * the message, never a failure of the job.
 */
final class FailedRunLogs {
    /** What a run's log said, or why it could not say. */
    record Tail(String group, String stream, List<String> lines, String note) {
        static Tail unread(String group, String stream, String note) {
            return new Tail(group, stream, List.of(), note);
        }
    }

    /** Logs read in one pass at most; the others wait for the next. */
    static final int PER_PASS = 3;

    private final JobAws aws;
    private final TaskDefinitions definitions;
    private final JobMemory memory;

    FailedRunLogs(JobAws aws, TaskDefinitions definitions, JobMemory memory) {
        this.aws = aws;
        this.definitions = definitions;
        this.memory = memory;
    }

    void observe(JobPlan plan, JobProgress progress) {
        Set<String> read = memory.of(plan.job().getMetadata().getUid()).logsRead;
        int reads = 0;
        for (TaskStatus task : progress.tasks()) {
            if (reads >= PER_PASS) {
                return;
            }
            if (task.logStream() == null && wanted(progress, task) && read.add(task.taskArn())) {
                reads++;
                progress.containerLog(task, tail(plan, task));
            }
        }
    }

    /** A run that failed, or the run of a batch whose images go-iiif failed. */
    private static boolean wanted(JobProgress progress, TaskStatus task) {
        if (task.result() == TaskResult.Failed && task.exitCode() != null) {
            return true;
        }
        if (task.result() != TaskResult.Succeeded
                || task.batch() >= progress.batches().size()) {
            return false;
        }
        BatchStatus batch = progress.batches().get(task.batch());
        return batch.phase() == Phase.Succeeded
                && batch.attempts() == task.attempt()
                && batch.images() != null
                && batch.images().failed() > 0;
    }

    private Tail tail(JobPlan plan, TaskStatus task) {
        String container = plan.container();
        String definition = plan.spec().task().taskDefinition();
        Optional<ContainerLogs> logs;
        try {
            logs = definitions.logs(aws.of(plan.uid()).ecs(task.region()), task.region(), definition, container);
        } catch (SdkException e) {
            return Tail.unread(
                    null,
                    null,
                    "its log was not read: DescribeTaskDefinition " + definition + ": " + AwsErrors.describe(e));
        }
        if (logs.isEmpty()) {
            return Tail.unread(
                    null,
                    null,
                    "task definition " + definition + " sends container " + container
                            + "'s output to no CloudWatch Logs group (logDriver awslogs)");
        }
        Optional<String> stream = logs.get().stream(container, task.taskArn());
        if (stream.isEmpty()) {
            return Tail.unread(
                    logs.get().group(),
                    null,
                    "task definition " + definition + " sets no awslogs-stream-prefix, without which the task's"
                            + " stream in " + logs.get().group() + " cannot be found");
        }
        String region = logs.get().region() != null ? logs.get().region() : task.region();
        try {
            List<String> lines = logs.get().last(aws.of(plan.uid()).logs(region), stream.get());
            return new Tail(
                    logs.get().group(), stream.get(), lines, lines.isEmpty() ? "its log stream holds no line" : null);
        } catch (ResourceNotFoundException e) {
            return Tail.unread(
                    logs.get().group(),
                    stream.get(),
                    "log group " + logs.get().group() + " or its stream " + stream.get() + " does not exist");
        } catch (SdkException | IllegalStateException e) {
            String error = AwsErrors.describe(e);
            return Tail.unread(
                    logs.get().group(),
                    stream.get(),
                    "its log was not read: GetLogEvents: " + error
                            + (error.contains("AccessDenied")
                                    ? " (the operator needs logs:GetLogEvents on "
                                            + logs.get().group() + ")"
                                    : ""));
        }
    }
}
