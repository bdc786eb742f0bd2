package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** One ECS task: one run (attempt) of one batch of URIs. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record TaskStatus(
        @JsonPropertyDescription("The task's ARN.") String taskArn,
        @JsonPropertyDescription("The batch this task runs.") int batch,
        @JsonPropertyDescription("Which run of the batch this is, from 1.") int attempt,
        @JsonPropertyDescription("The URIs the task processes, as positions in spec.uris.") UriRange uris,
        @JsonPropertyDescription("The ECS cluster the task runs in.") String cluster,
        @JsonPropertyDescription("When the operator launched or adopted the task.") String launchedAt,
        @JsonPropertyDescription(
                        "ECS lastStatus: PROVISIONING, PENDING, RUNNING, …, STOPPED; MISSING when ECS, having described the"
                                + " task, answered that it no longer knows it (a second such answer makes the run Lost).")
                String lastStatus,
        @JsonPropertyDescription("ECS desiredStatus.") String desiredStatus,
        @JsonPropertyDescription("Exit code of the go-iiif container.") Integer exitCode,
        @JsonPropertyDescription("Why the go-iiif container stopped, as ECS reports it.") String containerReason,
        @JsonPropertyDescription("ECS stop code: EssentialContainerExited, TaskFailedToStart, UserInitiated,"
                        + " SpotInterruption, …")
                String stopCode,
        @JsonPropertyDescription("Why ECS stopped the task.") String stoppedReason,
        @JsonPropertyDescription("When the task started running.") String startedAt,
        @JsonPropertyDescription("When the task stopped.") String stoppedAt,
        @JsonPropertyDescription("The task's other containers.") List<ContainerResult> otherContainers,
        @JsonPropertyDescription(
                        "How the run ended: Succeeded, Failed, Interrupted, Lost or Stopped. Unset while it runs.")
                TaskResult result,
        @JsonPropertyDescription(
                        "The CloudWatch Logs group of the go-iiif container's output, once read after a failure.")
                String logGroup,
        @JsonPropertyDescription("Its stream: aws logs tail GROUP --log-stream-names STREAM.") String logStream) {

    /** A task just launched or found, of which nothing is known yet. */
    public static TaskStatus launched(
            String taskArn, int batch, int attempt, UriRange uris, String cluster, String at) {
        return new TaskStatus(
                taskArn, batch, attempt, uris, cluster, at, null, null, null, null, null, null, null, null, null, null,
                null, null);
    }

    public TaskStatus withLog(String group, String stream) {
        return new TaskStatus(
                taskArn,
                batch,
                attempt,
                uris,
                cluster,
                launchedAt,
                lastStatus,
                desiredStatus,
                exitCode,
                containerReason,
                stopCode,
                stoppedReason,
                startedAt,
                stoppedAt,
                otherContainers,
                result,
                group,
                stream);
    }

    @JsonIgnore
    public boolean isActive() {
        return result == null;
    }

    /** The region in the task's ARN (arn:aws:ecs:REGION:account:task/…). */
    @JsonIgnore
    public String region() {
        String[] parts = taskArn.split(":");
        return parts.length > 3 ? parts[3] : null;
    }

    public TaskStatus withResult(TaskResult next) {
        return new TaskStatus(
                taskArn,
                batch,
                attempt,
                uris,
                cluster,
                launchedAt,
                lastStatus,
                desiredStatus,
                exitCode,
                containerReason,
                stopCode,
                stoppedReason,
                startedAt,
                stoppedAt,
                otherContainers,
                next,
                logGroup,
                logStream);
    }

    public TaskStatus withLastStatus(String next) {
        return new TaskStatus(
                taskArn,
                batch,
                attempt,
                uris,
                cluster,
                launchedAt,
                next,
                desiredStatus,
                exitCode,
                containerReason,
                stopCode,
                stoppedReason,
                startedAt,
                stoppedAt,
                otherContainers,
                result,
                logGroup,
                logStream);
    }

    public TaskStatus withDesiredStatus(String next) {
        return new TaskStatus(
                taskArn,
                batch,
                attempt,
                uris,
                cluster,
                launchedAt,
                lastStatus,
                next,
                exitCode,
                containerReason,
                stopCode,
                stoppedReason,
                startedAt,
                stoppedAt,
                otherContainers,
                result,
                logGroup,
                logStream);
    }
}
