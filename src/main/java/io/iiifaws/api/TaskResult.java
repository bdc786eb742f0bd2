package io.iiifaws.api;

/** How one run of a batch ended. */
public enum TaskResult {
    /** The go-iiif container exited 0, and go-iiif's reports (when the run has them) were read. */
    Succeeded,
    /** The go-iiif container exited 0; its reports are being read. */
    Verifying,
    /**
     * The go-iiif container exited non-zero or without a code, the task failed to start, or the
     * container exited 0 and go-iiif wrote no report for any of its images.
     */
    Failed,
    /** Infrastructure ended the task (Spot interruption, host termination); retried freely. */
    Interrupted,
    /** ECS lost track of a task that was running; retried freely. */
    Lost,
    /** The operator stopped the task (suspend, deadline, failure of the job, deletion). */
    Stopped
}
