package io.iiifaws.operator;

import io.iiifaws.api.StoredIiifJob;
import io.iiifaws.ecs.TaskObservation;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;

/**
 * Wakes a job when the task tracker heard that one of its tasks changed: jobs are looked at when
 * something happened to them, not on a timer of their own.
 */
final class TaskChanges extends AbstractEventSource<TaskObservation, StoredIiifJob> {
    TaskChanges() {
        super(TaskObservation.class, "task-changes");
    }

    void wake(ResourceID job) {
        if (isRunning()) {
            getEventHandler().handleEvent(new Event(job));
        }
    }

    @Override
    public Set<TaskObservation> getSecondaryResources(StoredIiifJob job) {
        return Set.of();
    }
}
