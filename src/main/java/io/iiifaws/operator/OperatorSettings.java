package io.iiifaws.operator;

import java.time.Duration;

/**
 * How the operator paces itself.
 *
 * @param pollInterval between DescribeTasks calls for a job with running tasks
 * @param invocationPoll between checks of a Lambda invocation in flight
 * @param missingGrace how long after launch ECS may not yet know a task (eventual consistency)
 *     before it counts as lost
 * @param backoffs waits after failures, refused launches and AWS errors
 */
public record OperatorSettings(
    Duration pollInterval, Duration invocationPoll, Duration missingGrace, Backoffs backoffs) {

  public static OperatorSettings defaults() {
    return new OperatorSettings(
        Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofMinutes(2), Backoffs.standard());
  }

  public OperatorSettings withPollInterval(Duration interval) {
    return new OperatorSettings(interval, invocationPoll, missingGrace, backoffs);
  }
}
