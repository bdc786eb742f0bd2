package io.iiifaws.operator;

import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.TaskStatus;

/** What the operator counts; see {@link OperatorMetrics}. */
public interface JobMetrics {
    JobMetrics NONE = new JobMetrics() {};

    /** RunTask started a task. */
    default void launched(IiifJob job) {}

    /** RunTask placed no task, for this reason. */
    default void launchRefused(IiifJob job, String reason) {}

    /** A task of the job stopped, as recorded in status. */
    default void taskFinished(IiifJob job, TaskStatus task) {}

    /** The job succeeded or failed. */
    default void jobFinished(IiifJob job, IiifJobStatus status) {}
}
