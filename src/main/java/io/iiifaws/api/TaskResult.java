package io.iiifaws.api;

/** How one run of a batch ended. */
public enum TaskResult {
  /** The go-iiif container exited 0. */
  Succeeded,
  /** The go-iiif container exited non-zero or without a code, or the task failed to start. */
  Failed,
  /** Infrastructure ended the task (Spot interruption, host termination); retried freely. */
  Interrupted,
  /** ECS lost track of a task that was running; retried freely. */
  Lost,
  /** The operator stopped the task (suspend, deadline, failure of the job, deletion). */
  Stopped
}
