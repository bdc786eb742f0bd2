package io.iiifaws.ecs;

import java.time.Duration;
import java.time.Instant;

/**
 * What it means that ECS does not know a task (DescribeTasks answers MISSING), the same for the
 * operator, {@code process-ecs -wait} and the Lambda handler: right after its launch, ECS's eventual
 * consistency, for a while; once it was known, the task is lost when two describes in a row, not
 * two readings of one describe, said so.
 */
public enum Vanished {
    /** Look again. */
    WAIT,
    /** The task is gone: its run failed without a verdict of its own. */
    LOST;

    /**
     * @param knownBefore whether ECS described the task before
     * @param missingInARow how many describes in a row, up to the latest, did not know it
     * @param grace how long after launch a task ECS has not shown yet is waited for
     */
    public static Vanished judge(
            boolean knownBefore, int missingInARow, Instant launchedAt, Instant now, Duration grace) {
        if (!knownBefore) {
            return launchedAt != null && now.isBefore(launchedAt.plus(grace)) ? WAIT : LOST;
        }
        return missingInARow >= 2 ? LOST : WAIT;
    }
}
