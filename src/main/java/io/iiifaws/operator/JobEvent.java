package io.iiifaws.operator;

/** A Kubernetes Event to record on the job, about one of its tasks if {@code taskArn} is set. */
public record JobEvent(boolean warning, String reason, String message, String taskArn) {
    static JobEvent normal(String reason, String message) {
        return new JobEvent(false, reason, message, null);
    }

    static JobEvent warning(String reason, String message) {
        return new JobEvent(true, reason, message, null);
    }

    JobEvent about(String task) {
        return new JobEvent(warning, reason, message, task);
    }
}
