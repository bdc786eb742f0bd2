package io.iiifaws.ecs;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ConflictException;
import software.amazon.awssdk.services.ecs.model.DescribeTasksRequest;
import software.amazon.awssdk.services.ecs.model.DesiredStatus;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.ListTasksRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.StopTaskRequest;
import software.amazon.awssdk.services.ecs.model.TaskField;

/**
 * Launching and following go-iiif tasks on ECS: the one code path the operator, the command line and
 * the Lambda handler share. Every method is one or a few API calls and never waits for a task; AWS
 * errors propagate as the SDK's exceptions (see {@link io.iiifaws.aws.AwsErrors}).
 */
public final class EcsTasks {
    /** DescribeTasks takes at most this many tasks per call. */
    static final int DESCRIBE_LIMIT = 100;
    /** StopTask's limit on the reason. */
    static final int STOP_REASON_LIMIT = 255;

    private final EcsClient ecs;

    public EcsTasks(EcsClient ecs) {
        this.ecs = ecs;
    }

    EcsClient client() {
        return ecs;
    }

    /** What RunTask did. */
    public sealed interface Launch {
        /** A task was started (or, for a repeated client token, had been started) with this ARN. */
        record Started(String taskArn) implements Launch {}

        /** The client token was already used for these tasks with different parameters. */
        record AlreadyStarted(List<String> taskArns) implements Launch {}

        /**
         * ECS placed no task and said why (RESOURCE:MEMORY, capacity unavailable, ...).
         *
         * @param permanent the reason names a placement constraint or a missing resource, which
         *     waiting will not fix
         */
        record Refused(String reason, boolean permanent) implements Launch {}
    }

    public Launch run(TaskRequest request) {
        RunTaskResponse response;
        try {
            response = ecs.runTask(request.toRunTaskRequest());
        } catch (ConflictException e) {
            if (e.hasResourceIds() && !e.resourceIds().isEmpty()) {
                return new Launch.AlreadyStarted(List.copyOf(e.resourceIds()));
            }
            throw e;
        }
        if (!response.tasks().isEmpty()) {
            return new Launch.Started(response.tasks().get(0).taskArn());
        }
        if (response.failures().isEmpty()) {
            return new Launch.Refused("RunTask started no task and gave no reason", false);
        }
        boolean permanent = response.failures().stream().allMatch(EcsTasks::isPermanent);
        return new Launch.Refused(
                response.failures().stream().map(EcsTasks::describe).distinct().collect(Collectors.joining("; ")),
                permanent);
    }

    /**
     * The tasks as ECS sees them now, by ARN; those ECS does not know come back as {@link
     * TaskObservation#missing}.
     */
    public Map<String, TaskObservation> describe(String cluster, Collection<String> taskArns) {
        List<String> arns = new ArrayList<>(new LinkedHashSet<>(taskArns));
        Map<String, TaskObservation> result = new LinkedHashMap<>();
        for (int from = 0; from < arns.size(); from += DESCRIBE_LIMIT) {
            List<String> chunk = arns.subList(from, Math.min(arns.size(), from + DESCRIBE_LIMIT));
            var response = ecs.describeTasks(DescribeTasksRequest.builder()
                    .cluster(cluster)
                    .tasks(chunk)
                    .include(TaskField.TAGS)
                    .build());
            response.tasks().forEach(t -> result.put(t.taskArn(), TaskObservation.of(t)));
            chunk.forEach(arn -> result.putIfAbsent(arn, TaskObservation.missing(arn)));
        }
        return result;
    }

    /** ARNs of the tasks ECS knows that were started with this startedBy, running or stopped. */
    public Set<String> listStartedBy(String cluster, String startedBy) {
        return listStartedBy(cluster, startedBy, DesiredStatus.RUNNING, DesiredStatus.STOPPED);
    }

    /** ARNs of the tasks with this startedBy whose desired status is one of those given. */
    public Set<String> listStartedBy(String cluster, String startedBy, DesiredStatus... desiredStatuses) {
        Set<String> arns = new HashSet<>();
        for (DesiredStatus desired : desiredStatuses) {
            ecs.listTasksPaginator(ListTasksRequest.builder()
                            .cluster(cluster)
                            .startedBy(startedBy)
                            .desiredStatus(desired)
                            .build())
                    .taskArns()
                    .forEach(arns::add);
        }
        return arns;
    }

    /** Asks ECS to stop the task; the reason shows up as its stoppedReason. */
    public void stop(String cluster, String taskArn, String reason) {
        String shortReason = reason.length() > STOP_REASON_LIMIT ? reason.substring(0, STOP_REASON_LIMIT) : reason;
        ecs.stopTask(StopTaskRequest.builder()
                .cluster(cluster)
                .task(taskArn)
                .reason(shortReason)
                .build());
    }

    private static boolean isPermanent(Failure failure) {
        String reason = failure.reason() == null ? "" : failure.reason();
        return reason.startsWith("ATTRIBUTE")
                || reason.startsWith("LOCATION")
                || reason.equals("MISSING")
                || reason.equals("INACTIVE");
    }

    private static String describe(Failure failure) {
        String reason = failure.reason() == null ? "unknown reason" : failure.reason();
        return failure.detail() == null || failure.detail().isBlank() ? reason : reason + " (" + failure.detail() + ")";
    }
}
