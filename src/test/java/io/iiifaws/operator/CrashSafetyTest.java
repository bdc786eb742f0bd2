package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.testing.FaultyAws;
import io.iiifaws.testing.Fence;
import io.iiifaws.testing.Fence.CrashPoint;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import io.iiifaws.testing.TaskOutcome;
import io.iiifaws.testing.TaskView;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The operator is killed again and again at each point between deciding to launch a task and
 * writing its ARN to status, while AWS throttles, refuses launches and fails runs; after each
 * crash a new operator takes over. Every attempt of every batch must run in exactly one ECS task,
 * and every job must end as its tasks did.
 */
class CrashSafetyTest {
    static final int JOBS = Integer.getInteger("iiifaws.crash.jobs", 100);
    static final int CRASHES = Integer.getInteger("iiifaws.crash.count", 40);

    @Test
    void everyAttemptRunsInExactlyOneTaskThroughCrashesAndFaults() throws Exception {
        try (OperatorHarness h = new OperatorHarness()) {
            h.aws.faultRates(
                    Map.of("RunTask", 0.1, "DescribeTasks", 0.1, "ListTasks", 0.1, "StopTask", 0.1),
                    FaultyAws.Fault.throttling(),
                    FaultyAws.Fault.serverError());
            h.aws.refuseNextRunTasks(IntStream.range(0, 10)
                    .mapToObj(i -> i % 2 == 0 ? "RESOURCE:MEMORY" : "RESOURCE:CPU")
                    .toArray(String[]::new));
            // One job in five fails its first run of each batch: retries are launches too.
            h.aws.outcomes(
                    task -> task.attempt() == 1 && Math.floorMod(task.job().hashCode(), 5) == 0
                            ? TaskOutcome.exit(1)
                            : TaskOutcome.SUCCESS);
            List<String> names = IntStream.range(0, JOBS)
                    .mapToObj(i -> String.format("job-%03d", i))
                    .toList();
            for (String name : names) {
                IiifJob job = h.taskJob(name, "a.jpg", "b.jpg", "c.jpg");
                Specs.with(job, "batch.size", 2);
                Specs.with(job, "parallelism", 2);
                h.create(job);
            }

            Map<CrashPoint, Integer> crashes = new EnumMap<>(CrashPoint.class);
            OperatorSettings settings = OperatorHarness.fastSettings();
            for (int i = 0; i < CRASHES && !allFinished(h, names); i++) {
                CrashPoint point = CrashPoint.values()[i % CrashPoint.values().length];
                // Half the time ListTasks does not show tasks launched in the last 30 s, as eventual
                // consistency can: then only the client token stands between a restart and a duplicate.
                h.aws.listLag((i / 4) % 2 == 0 ? Duration.ZERO : Duration.ofSeconds(30));
                Fence fence = new Fence(point);
                h.startFenced(fence, settings);
                boolean died = fence.death().await(30, TimeUnit.SECONDS);
                h.stop();
                if (died) {
                    crashes.merge(point, 1, Integer::sum);
                }
            }
            h.aws.listLag(Duration.ZERO);
            h.start(settings);
            try {
                Awaitility.await()
                        .atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> allFinished(h, names));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                h.client().resources(IiifJob.class).inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
                        .filter(j -> j.getStatus() == null || !j.getStatus().isFinished())
                        .forEach(j -> System.out.println("unfinished: "
                                + h.client().getKubernetesSerialization().asJson(j)));
                throw e;
            }

            List<TaskView> launched = h.aws.launched();
            Map<String, Long> perAttempt = launched.stream()
                    .collect(Collectors.groupingBy(
                            t -> t.job() + "/" + t.batch() + "/" + t.attempt(), Collectors.counting()));
            long duplicates = perAttempt.values().stream().mapToLong(n -> n - 1).sum();
            List<String> wrong = names.stream()
                    .filter(name -> !endedAsItsTasks(h, name, launched))
                    .toList();
            System.out.printf(
                    "crash-safety: jobs=%d crashes=%s faults=%d tasks=%d attempts=%d duplicates=%d wrong-final-state=%d%n",
                    names.size(),
                    crashes,
                    h.aws.faultsGiven(),
                    launched.size(),
                    perAttempt.size(),
                    duplicates,
                    wrong.size());

            assertThat(duplicates).isZero();
            assertThat(wrong).isEmpty();
            assertThat(h.tasksInEcs()).hasSize(launched.size());
            assertThat(crashes.keySet()).containsExactlyInAnyOrder(CrashPoint.values());
            assertThat(crashes.values().stream().mapToInt(Integer::intValue).sum())
                    .isGreaterThanOrEqualTo(CRASHES * 3 / 4);
        }
    }

    private static boolean allFinished(OperatorHarness h, List<String> names) {
        Set<String> finished =
                h.client().resources(IiifJob.class).inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
                        .filter(j -> j.getStatus() != null && j.getStatus().isFinished())
                        .map(j -> j.getMetadata().getName())
                        .collect(Collectors.toSet());
        return finished.containsAll(names);
    }

    /** Succeeded, with status naming exactly the tasks ECS ran for the job. */
    private static boolean endedAsItsTasks(OperatorHarness h, String name, List<TaskView> launched) {
        IiifJob job = h.job(name);
        Set<String> inStatus =
                job.getStatus().tasks().stream().map(TaskStatus::taskArn).collect(Collectors.toSet());
        Set<String> inEcs = launched.stream()
                .filter(t -> ("test/" + name).equals(t.job()))
                .map(TaskView::arn)
                .collect(Collectors.toSet());
        return job.getStatus().phase() == Phase.Succeeded
                && inStatus.equals(inEcs)
                && job.getStatus().tasks().size() == inStatus.size();
    }

    @Test
    void aClientTokenConflictAdoptsTheTaskItNames() throws Exception {
        try (OperatorHarness h = new OperatorHarness()) {
            h.aws.holdRunning(task -> true);
            // ListTasks cannot see the task, so the restarted operator repeats the RunTask.
            h.aws.listLag(Duration.ofMinutes(5));
            h.create(h.taskJob("conflict", "a.jpg"));
            Fence fence = new Fence(CrashPoint.AFTER_RUN_TASK);
            h.startFenced(fence, OperatorHarness.fastSettings());
            assertThat(fence.death().await(30, TimeUnit.SECONDS)).isTrue();
            h.stop();
            // The spec changes while no operator runs: the repeated RunTask differs from the first.
            h.client()
                    .resources(IiifJob.class)
                    .inNamespace(OperatorHarness.NAMESPACE)
                    .withName("conflict")
                    .edit(j -> Specs.with(j, "task.tags", Map.of("collection", "prints")));

            h.start();
            IiifJob job = h.await(
                    "conflict",
                    j -> j.getStatus() != null && !j.getStatus().tasks().isEmpty());

            assertThat(h.aws.launched()).hasSize(1);
            assertThat(job.getStatus().tasks()).singleElement().satisfies(t -> assertThat(t.taskArn())
                    .isEqualTo(h.aws.launched().get(0).arn()));
            assertThat(h.aws.requests("RunTask")).hasSize(2);
            String adopted = "Adopted task " + h.aws.launched().get(0).arn();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.events("conflict").stream()
                    .anyMatch(e -> e.getNote().startsWith(adopted)));
        }
    }
}
