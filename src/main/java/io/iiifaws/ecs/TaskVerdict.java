package io.iiifaws.ecs;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a stopped task ended, judged by one container's exit code: other containers (log routers,
 * sidecars) are shown but never decide. When no container is named, every container must exit 0.
 */
public record TaskVerdict(Outcome outcome, Integer exitCode, String explanation) {

    public enum Outcome {
        /** Not stopped yet. */
        RUNNING,
        SUCCEEDED,
        /** The run failed: non-zero exit, no exit code, or the task failed to start. */
        FAILED,
        /** Infrastructure ended the task; running it again is the remedy. */
        INTERRUPTED,
        /** Someone asked ECS to stop it with a reason that starts with the caller's marker. */
        STOPPED_ON_REQUEST
    }

    private static final List<String> INFRASTRUCTURE_STOP_CODES =
            List.of("SpotInterruption", "TerminationNotice", "InfrastructureHealth");
    private static final Pattern HOST_GONE = Pattern.compile("Host EC2 \\(instance .+?\\) (stopped|terminated)");
    /**
     * Failures to start that are AWS provisioning hiccups, retried freely. Anything else that kept a
     * task from starting (an image that cannot be pulled, a subnet with no route out, secrets that
     * cannot be read) fails the run and counts against the backoff limit.
     */
    private static final List<String> TRANSIENT_START_FAILURES = List.of(
            "timeout waiting for network interface provisioning",
            "timeout waiting for ephemeralstorage provisioning",
            "unexpected ec2 error while attempting to create network interface");

    public static TaskVerdict judge(TaskObservation task, String container, String stopMarker) {
        if (!task.isStopped()) {
            return new TaskVerdict(Outcome.RUNNING, null, null);
        }
        String stopCode = task.stopCode();
        String stopped = stopSummary(task);
        Optional<ContainerState> named = container == null ? Optional.empty() : task.container(container);
        Integer exitCode = container == null
                ? firstNonZeroExit(task)
                : named.map(ContainerState::exitCode).orElse(null);

        boolean exitedZero = container == null
                ? !task.containers().isEmpty()
                        && task.containers().stream()
                                .allMatch(c -> Integer.valueOf(0).equals(c.exitCode()))
                : Integer.valueOf(0).equals(exitCode);
        if (exitedZero && !"TaskFailedToStart".equals(stopCode)) {
            return new TaskVerdict(Outcome.SUCCEEDED, 0, who(container) + " exited 0");
        }
        if (stopMarker != null
                && task.stoppedReason() != null
                && task.stoppedReason().startsWith(stopMarker)) {
            return new TaskVerdict(Outcome.STOPPED_ON_REQUEST, exitCode, "stopped: " + task.stoppedReason());
        }
        String reason = task.stoppedReason() == null ? "" : task.stoppedReason();
        if (INFRASTRUCTURE_STOP_CODES.contains(stopCode)
                || HOST_GONE.matcher(reason).find()) {
            return new TaskVerdict(Outcome.INTERRUPTED, exitCode, "interrupted (" + stopped + ")");
        }
        if ("TaskFailedToStart".equals(stopCode)) {
            String lower = reason.toLowerCase(Locale.ROOT);
            boolean transientFailure = TRANSIENT_START_FAILURES.stream().anyMatch(lower::contains);
            return new TaskVerdict(
                    transientFailure ? Outcome.INTERRUPTED : Outcome.FAILED,
                    exitCode,
                    "task failed to start (" + stopped + ")");
        }
        String containerReason = named.map(ContainerState::reason).orElse(null);
        String what = exitCode == null
                ? who(container) + " stopped without an exit code"
                : who(container) + " exited " + exitCode;
        return new TaskVerdict(
                Outcome.FAILED,
                exitCode,
                what + (containerReason == null ? "" : ": " + containerReason) + " (" + stopped + ")");
    }

    private static String who(String container) {
        return container == null ? "every container" : "container " + container;
    }

    private static Integer firstNonZeroExit(TaskObservation task) {
        return task.containers().stream()
                .map(ContainerState::exitCode)
                .filter(code -> code == null || code != 0)
                .findFirst()
                .orElse(0);
    }

    /** "StopCode: stopped reason", or whichever of the two ECS gave. */
    public static String stopSummary(TaskObservation task) {
        String code = task.stopCode();
        String reason = task.stoppedReason();
        if (code == null && reason == null) {
            return "no stop code";
        }
        if (code == null) {
            return reason;
        }
        return reason == null ? code : code + ": " + reason;
    }
}
