package io.iiifaws.ecs;

import io.iiifaws.aws.S3Reports;
import io.iiifaws.goiiif.ImageCheck;
import io.iiifaws.goiiif.ProcessCommand;
import io.iiifaws.goiiif.ReportLocation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * go-iiif-aws's way of running go-iiif: one RunTask per batch of URIs (a single task unless the
 * URIs overflow ECS's limit on overrides), and optionally waiting for the tasks to stop. The
 * command line and the Lambda handler use it; it launches through {@link EcsTasks} like the
 * operator does.
 */
public final class ProcessTasks {
    /** What the launcher sets as startedBy, so its tasks can be found in ECS. */
    public static final String STARTED_BY = "iiif-process-ecs";

    private final EcsTasks ecs;
    private final String region;
    private final TaskTemplate template;
    private final ProcessCommand command;
    private final TaskDefinitions definitions = new TaskDefinitions(java.time.Clock.systemUTC());

    public ProcessTasks(EcsTasks ecs, String region, TaskTemplate template, ProcessCommand command) {
        this.ecs = ecs;
        this.region = region;
        this.template = template;
        this.command = command;
    }

    /** ECS placed no task; the message gives its reasons. */
    public static final class LaunchRefusedException extends RuntimeException {
        LaunchRefusedException(String message) {
            super(message);
        }
    }

    /** A launched task, the URIs it processes and where go-iiif writes its reports of them, if anywhere. */
    public record Launched(String taskArn, List<String> uris, Optional<ReportLocation> reports) {}

    /**
     * Starts the tasks for these URIs, which must already be checked, telling each as it starts.
     *
     * @param tokenPrefix makes each RunTask idempotent when given: a retry of the same request (a
     *     Lambda invocation retried with the same request id) gets the tasks it started before
     * @param reports where this run's reports go, if anywhere; each task writes under batch-N/
     * @throws LaunchRefusedException when ECS places no task
     * @throws IllegalArgumentException when a URI is too long for any task
     */
    public List<Launched> launch(
            List<String> uris, String tokenPrefix, Optional<ReportLocation> reports, Consumer<Launched> started) {
        List<Launched> launched = new ArrayList<>();
        Optional<ReportLocation> longest = reports.map(r -> r.child("batch-" + uris.size()));
        definitions.overrides(ecs.client(), region, template, command, longest).ifPresent(why -> {
            throw new LaunchRefusedException("task definition " + why);
        });
        for (Batch batch : BatchPlanner.plan(uris, null, command, longest, template.container(), Map.of())) {
            String token = tokenPrefix == null ? null : tokenPrefix + "-" + batch.index();
            Optional<ReportLocation> where = reports.map(r -> r.child("batch-" + batch.index()));
            TaskRequest request = template.request(
                    command.argv(batch.uris(), where), command.environment(where), Map.of(), STARTED_BY, token);
            EcsTasks.Launch launch = ecs.run(request);
            String arn;
            if (launch instanceof EcsTasks.Launch.Started task) {
                arn = task.taskArn();
            } else if (launch instanceof EcsTasks.Launch.AlreadyStarted tasks) {
                arn = tasks.taskArns().get(0);
            } else {
                throw new LaunchRefusedException(
                        "RunTask placed no task: " + ((EcsTasks.Launch.Refused) launch).reason());
            }
            Launched task = new Launched(arn, batch.uris(), where);
            launched.add(task);
            started.accept(task);
        }
        return launched;
    }

    /**
     * What go-iiif's reports say of a task's images, once its container exited 0; empty when the task
     * writes no reports the launcher can read.
     */
    public Optional<ImageCheck> checkImages(S3Reports reader, Launched task) {
        return task.reports().map(where -> reader.check(where, task.uris(), command::reportName)
                .join());
    }

    /**
     * Follows the tasks until all have stopped, then judges them by the go-iiif container: a task
     * tracker describes them together every {@code interval}, and the wait ends as soon as it
     * hears of the last stop. A task ECS does not know means what it means in the operator
     * ({@link Vanished}): waited for up to {@code missingGrace} after the launch, lost once two
     * describes in a row did not know it.
     *
     * @throws software.amazon.awssdk.core.exception.SdkException when describing fails for a
     *     reason that will not pass
     */
    public Map<String, TaskVerdict> await(List<String> taskArns, Duration interval, Duration missingGrace, Clock clock)
            throws InterruptedException {
        Map<String, TaskVerdict> verdicts = new LinkedHashMap<>();
        Set<String> known = new HashSet<>();
        Semaphore changed = new Semaphore(0);
        Instant launched = clock.instant();
        try (TaskTracker<String> tracker =
                new TaskTracker<>(r -> ecs, interval, Duration.ofSeconds(1), clock, owner -> changed.release())) {
            Map<String, TaskTracker.Place> places = new LinkedHashMap<>();
            taskArns.forEach(arn -> places.put(arn, new TaskTracker.Place(region, template.cluster())));
            tracker.follow("process-ecs", places);
            TaskTracker.Place place = new TaskTracker.Place(region, template.cluster());
            while (verdicts.size() < taskArns.size()) {
                // An error that will not pass (no permission, no such cluster) ends the wait.
                Optional<RuntimeException> failure = tracker.failure(place);
                if (failure.isPresent() && !io.iiifaws.aws.AwsErrors.isTransient(failure.get())) {
                    throw failure.get();
                }
                for (String arn : taskArns) {
                    if (verdicts.containsKey(arn)) {
                        continue;
                    }
                    tracker.seen(arn).ifPresent(seen -> {
                        if (seen.task().missing()) {
                            if (Vanished.judge(
                                            known.contains(arn),
                                            seen.missingInARow(),
                                            launched,
                                            clock.instant(),
                                            missingGrace)
                                    == Vanished.LOST) {
                                verdicts.put(
                                        arn,
                                        new TaskVerdict(
                                                TaskVerdict.Outcome.FAILED, null, "ECS no longer knows the task"));
                            }
                            return;
                        }
                        known.add(arn);
                        TaskVerdict verdict = TaskVerdict.judge(seen.task(), template.container(), null);
                        if (verdict.outcome() != TaskVerdict.Outcome.RUNNING) {
                            verdicts.put(arn, verdict);
                        }
                    });
                }
                if (verdicts.size() < taskArns.size()) {
                    changed.tryAcquire(interval.toMillis(), TimeUnit.MILLISECONDS);
                    changed.drainPermits();
                }
            }
        }
        Map<String, TaskVerdict> ordered = new LinkedHashMap<>();
        taskArns.forEach(arn -> ordered.put(arn, verdicts.get(arn)));
        return ordered;
    }
}
