package io.iiifaws.testing;

import io.iiifaws.ecs.ContainerState;
import java.util.List;

/**
 * How a task ends, as the fault layer makes ECS report it (moto always reports exit code 0 and no
 * stop code).
 */
public record TaskOutcome(
        String stopCode, String stoppedReason, Integer exitCode, String containerReason, List<ContainerState> others) {

    public static final TaskOutcome SUCCESS =
            new TaskOutcome("EssentialContainerExited", "Essential container in task exited", 0, null, List.of());

    public static TaskOutcome exit(int code) {
        return new TaskOutcome("EssentialContainerExited", "Essential container in task exited", code, null, List.of());
    }

    public static TaskOutcome failedToStart(String reason) {
        return new TaskOutcome("TaskFailedToStart", reason, null, null, List.of());
    }

    public static TaskOutcome spotInterruption() {
        return new TaskOutcome("SpotInterruption", "Your Spot Task was interrupted.", null, null, List.of());
    }

    public TaskOutcome withSidecar(String name, Integer code) {
        var list = new java.util.ArrayList<>(others);
        list.add(new ContainerState(name, "STOPPED", code, null));
        return new TaskOutcome(stopCode, stoppedReason, exitCode, containerReason, list);
    }
}
