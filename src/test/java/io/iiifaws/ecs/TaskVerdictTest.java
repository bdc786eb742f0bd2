package io.iiifaws.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.ecs.TaskVerdict.Outcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskVerdictTest {
    static TaskObservation stopped(String stopCode, String reason, ContainerState... containers) {
        return new TaskObservation(
                "arn:aws:ecs:us-east-1:1:task/c/t",
                false,
                "STOPPED",
                "STOPPED",
                stopCode,
                reason,
                null,
                null,
                List.of(containers),
                Map.of(),
                Map.of(),
                1);
    }

    static ContainerState container(String name, Integer exit) {
        return new ContainerState(name, "STOPPED", exit, null);
    }

    @Test
    void aTaskThatHasNotStoppedIsRunning() {
        var running = new TaskObservation(
                "arn", false, "RUNNING", "RUNNING", null, null, null, null, List.of(), Map.of(), Map.of(), 1);
        assertThat(TaskVerdict.judge(running, "iiif", "iiif-aws:").outcome()).isEqualTo(Outcome.RUNNING);
    }

    @Test
    void onlyTheNamedContainerDecides() {
        var task = stopped(
                "EssentialContainerExited",
                "Essential container in task exited",
                container("iiif", 0),
                container("log-router", 137));
        assertThat(TaskVerdict.judge(task, "iiif", "iiif-aws:").outcome()).isEqualTo(Outcome.SUCCEEDED);

        var failing = stopped(
                "EssentialContainerExited",
                "Essential container in task exited",
                container("iiif", 2),
                container("log-router", 0));
        TaskVerdict verdict = TaskVerdict.judge(failing, "iiif", "iiif-aws:");
        assertThat(verdict.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(verdict.exitCode()).isEqualTo(2);
        assertThat(verdict.explanation())
                .isEqualTo("container iiif exited 2 (EssentialContainerExited: Essential container in task exited)");
    }

    @Test
    void aMissingExitCodeIsAFailure() {
        var task = stopped(
                "EssentialContainerExited",
                "Essential container in task exited",
                container("iiif", null),
                container("side", 1));
        TaskVerdict verdict = TaskVerdict.judge(task, "iiif", "iiif-aws:");
        assertThat(verdict.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(verdict.explanation()).startsWith("container iiif stopped without an exit code");
    }

    @Test
    void aTaskThatFailedToStartFailsUnlessTheCauseIsTransient() {
        var pull = stopped("TaskFailedToStart", "CannotPullContainerError: pull access denied");
        assertThat(TaskVerdict.judge(pull, "iiif", "iiif-aws:").outcome()).isEqualTo(Outcome.FAILED);
        assertThat(TaskVerdict.judge(pull, "iiif", "iiif-aws:").explanation())
                .isEqualTo("task failed to start (TaskFailedToStart: CannotPullContainerError: pull access denied)");
        var eni = stopped("TaskFailedToStart", "Timeout waiting for network interface provisioning to complete.");
        assertThat(TaskVerdict.judge(eni, "iiif", "iiif-aws:").outcome()).isEqualTo(Outcome.INTERRUPTED);
        // A subnet with no route out: every retry would fail the same way, so it counts.
        var noRoute = stopped(
                "TaskFailedToStart",
                "CannotPullContainerError: pull image manifest has been retried 5 time(s):"
                        + " failed to resolve ref ghcr.io/go-iiif/go-iiif:latest: dial tcp 140.82.121.34:443: i/o timeout");
        assertThat(TaskVerdict.judge(noRoute, "iiif", "iiif-aws:").outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void infrastructureStopsAreInterruptions() {
        assertThat(TaskVerdict.judge(
                                stopped("SpotInterruption", "Your Spot Task was interrupted.", container("iiif", null)),
                                "iiif",
                                "iiif-aws:")
                        .outcome())
                .isEqualTo(Outcome.INTERRUPTED);
        assertThat(TaskVerdict.judge(
                                stopped(
                                        "EssentialContainerExited",
                                        "Host EC2 (instance i-0abc) terminated.",
                                        container("iiif", 137)),
                                "iiif",
                                "iiif-aws:")
                        .outcome())
                .isEqualTo(Outcome.INTERRUPTED);
    }

    @Test
    void aStopTheCallerAskedForIsRecognisedByItsReason() {
        var task = stopped("UserInitiated", "iiif-aws: IiifJob ns/job suspended", container("iiif", 143));
        assertThat(TaskVerdict.judge(task, "iiif", "iiif-aws:").outcome()).isEqualTo(Outcome.STOPPED_ON_REQUEST);
        var other = stopped("UserInitiated", "Stopped by user.", container("iiif", 143));
        assertThat(TaskVerdict.judge(other, "iiif", "iiif-aws:").outcome()).isEqualTo(Outcome.FAILED);
    }

    @Test
    void withoutANamedContainerEveryContainerMustExitZero() {
        assertThat(TaskVerdict.judge(
                                stopped("EssentialContainerExited", null, container("a", 0), container("b", 0)),
                                null,
                                null)
                        .outcome())
                .isEqualTo(Outcome.SUCCEEDED);
        TaskVerdict verdict = TaskVerdict.judge(
                stopped("EssentialContainerExited", null, container("a", 0), container("b", 4)), null, null);
        assertThat(verdict.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(verdict.exitCode()).isEqualTo(4);
    }
}
