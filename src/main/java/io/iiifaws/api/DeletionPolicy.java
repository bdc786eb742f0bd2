package io.iiifaws.api;

/** What happens to a job's running ECS tasks when the job is deleted. */
public enum DeletionPolicy {
    StopTasks,
    Orphan
}
