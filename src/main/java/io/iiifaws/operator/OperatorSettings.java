package io.iiifaws.operator;

import io.iiifaws.goiiif.ReportLocation;
import java.time.Duration;
import java.util.Optional;

/**
 * How the operator paces itself, and what it gives jobs that leave it out.
 *
 * @param pollInterval between two describes of every task the operator follows (100 to a
 *     DescribeTasks call)
 * @param missingGrace how long after launch ECS may not yet know a task (eventual consistency)
 *     before it counts as lost
 * @param backoffs waits after failures, refused launches and AWS errors
 * @param reports where go-iiif writes its reports for jobs without spec.process.reports
 *     (s3://bucket/prefix/), if anywhere
 * @param taskEvents the SQS queue that EventBridge sends ECS's task state changes to, if any:
 *     then describes are only a safety net, and {@code pollInterval} can be long
 * @param launchesPerSecond the operator's RunTask rate: jobs get their turns to launch at it
 * @param commandsWithoutPolicy whether jobs may replace go-iiif's command while the cluster has no
 *     IiifJobPolicy
 */
public record OperatorSettings(
        Duration pollInterval,
        Duration missingGrace,
        Backoffs backoffs,
        Optional<String> reports,
        Optional<String> taskEvents,
        double launchesPerSecond,
        boolean commandsWithoutPolicy) {

    public OperatorSettings {
        reports.ifPresent(r -> ReportLocation.parse(r, "us-east-1"));
    }

    public static OperatorSettings defaults() {
        return new OperatorSettings(
                Duration.ofSeconds(15),
                Duration.ofMinutes(2),
                Backoffs.standard(),
                Optional.empty(),
                Optional.empty(),
                io.iiifaws.aws.EcsPacing.defaults()
                        .get(io.iiifaws.aws.EcsPacing.Group.runTask)
                        .perSecond(),
                false);
    }

    /**
     * The longest a job with active tasks waits for a pass when nothing wakes it: a change of one of
     * its tasks does, so this only catches what was missed.
     */
    public Duration safetyLook() {
        Duration look = pollInterval.multipliedBy(20);
        return look.compareTo(Duration.ofMinutes(10)) < 0 ? look : Duration.ofMinutes(10);
    }

    /** Takes ECS's task changes from this SQS queue. */
    public OperatorSettings withTaskEvents(String queueUrl) {
        return new OperatorSettings(
                pollInterval,
                missingGrace,
                backoffs,
                reports,
                Optional.of(queueUrl),
                launchesPerSecond,
                commandsWithoutPolicy);
    }

    public OperatorSettings withPollInterval(Duration interval) {
        return new OperatorSettings(
                interval, missingGrace, backoffs, reports, taskEvents, launchesPerSecond, commandsWithoutPolicy);
    }

    /** @throws IllegalArgumentException when the location is not s3://bucket/prefix/ */
    public OperatorSettings withReports(String location) {
        return new OperatorSettings(
                pollInterval,
                missingGrace,
                backoffs,
                Optional.of(location),
                taskEvents,
                launchesPerSecond,
                commandsWithoutPolicy);
    }

    /** Jobs launch at this rate, the operator's RunTask pacing (--ecs-rate runTask=...). */
    public OperatorSettings withLaunchRate(double perSecond) {
        return new OperatorSettings(
                pollInterval, missingGrace, backoffs, reports, taskEvents, perSecond, commandsWithoutPolicy);
    }

    /** Jobs may replace go-iiif's command while the cluster has no IiifJobPolicy (--allow-process-command). */
    public OperatorSettings withCommandsWithoutPolicy(boolean allowed) {
        return new OperatorSettings(
                pollInterval, missingGrace, backoffs, reports, taskEvents, launchesPerSecond, allowed);
    }
}
