package io.iiifaws.ecs;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * What ECS said about one task. A task ECS does not know (DescribeTasks reason MISSING: not visible
 * yet, or forgotten about an hour after it stopped) has {@code missing} set and nothing else.
 *
 * @param environment the environment overrides of the task's containers, where the operator
 *     records job, batch and attempt
 * @param version ECS's count of the task's changes: of two words on a task, the higher is newer
 */
public record TaskObservation(
        String taskArn,
        boolean missing,
        String lastStatus,
        String desiredStatus,
        String stopCode,
        String stoppedReason,
        Instant startedAt,
        Instant stoppedAt,
        List<ContainerState> containers,
        Map<String, String> tags,
        Map<String, String> environment,
        long version) {

    public static final String STOPPED = "STOPPED";

    public static TaskObservation missing(String taskArn) {
        return new TaskObservation(taskArn, true, null, null, null, null, null, null, List.of(), Map.of(), Map.of(), 0);
    }

    public static TaskObservation of(Task task) {
        Map<String, String> env = new HashMap<>();
        if (task.overrides() != null) {
            task.overrides().containerOverrides().forEach(o -> o.environment()
                    .forEach((KeyValuePair kv) -> env.put(kv.name(), kv.value())));
        }
        Map<String, String> tags = new HashMap<>();
        task.tags().forEach(t -> tags.put(t.key(), t.value()));
        return new TaskObservation(
                task.taskArn(),
                false,
                task.lastStatus(),
                task.desiredStatus(),
                task.stopCodeAsString(),
                blankToNull(task.stoppedReason()),
                task.startedAt(),
                task.stoppedAt(),
                task.containers().stream()
                        .map(c -> new ContainerState(c.name(), c.lastStatus(), c.exitCode(), blankToNull(c.reason())))
                        .toList(),
                Map.copyOf(tags),
                Map.copyOf(env),
                task.version() == null ? 0 : task.version());
    }

    public boolean isStopped() {
        return STOPPED.equals(lastStatus);
    }

    public Optional<ContainerState> container(String name) {
        return containers.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /** A label the operator put on the task, read from its environment overrides or tags. */
    public Optional<String> label(String envName, String tagKey) {
        String value = environment.get(envName);
        return Optional.ofNullable(value != null ? value : tags.get(tagKey));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
