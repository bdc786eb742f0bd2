package io.iiifaws.operator;

/** A Kubernetes Event to record on the job. */
public record JobEvent(boolean warning, String reason, String message) {
  static JobEvent normal(String reason, String message) {
    return new JobEvent(false, reason, message);
  }

  static JobEvent warning(String reason, String message) {
    return new JobEvent(true, reason, message);
  }
}
