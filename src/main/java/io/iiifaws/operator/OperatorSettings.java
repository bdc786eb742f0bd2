package io.iiifaws.operator;

import io.iiifaws.goiiif.ReportLocation;
import java.time.Duration;
import java.util.Optional;

/**
 * How the operator paces itself, and what it gives jobs that leave it out.
 *
 * @param pollInterval between DescribeTasks calls for a job with running tasks
 * @param backgroundPoll between checks of work in flight in the background: a Lambda invocation,
 *     reading go-iiif's reports
 * @param missingGrace how long after launch ECS may not yet know a task (eventual consistency)
 *     before it counts as lost
 * @param backoffs waits after failures, refused launches and AWS errors
 * @param reports where go-iiif writes its reports for jobs without spec.process.reports
 *     (s3://bucket/prefix/), if anywhere
 */
public record OperatorSettings(
    Duration pollInterval, Duration backgroundPoll, Duration missingGrace, Backoffs backoffs, Optional<String> reports) {

  public OperatorSettings {
    reports.ifPresent(r -> ReportLocation.parse(r, "us-east-1"));
  }

  public static OperatorSettings defaults() {
    return new OperatorSettings(
        Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofMinutes(2), Backoffs.standard(), Optional.empty());
  }

  public OperatorSettings withPollInterval(Duration interval) {
    return new OperatorSettings(interval, backgroundPoll, missingGrace, backoffs, reports);
  }

  /** @throws IllegalArgumentException when the location is not s3://bucket/prefix/ */
  public OperatorSettings withReports(String location) {
    return new OperatorSettings(pollInterval, backgroundPoll, missingGrace, backoffs, Optional.of(location));
  }
}
