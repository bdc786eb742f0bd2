package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.iiifaws.api.BatchStatus;
import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.api.TaskResult;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import io.iiifaws.testing.TaskOutcome;
import io.iiifaws.testing.TaskView;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Job-like semantics: batches, parallelism, retries, deadlines, suspend, TTL, lost tasks. */
class JobSemanticsTest {
    OperatorHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness().start();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    static String[] uris(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> "collection/2024/IMG_" + String.format("%05d", i) + ".JPG")
                .toArray(String[]::new);
    }

    static boolean running(IiifJob job, int active) {
        return job.getStatus() != null
                && job.getStatus().active() != null
                && job.getStatus().active() == active
                && job.getStatus().tasks().stream().filter(TaskStatus::isActive).allMatch(t -> "RUNNING"
                        .equals(t.lastStatus()));
    }

    @Test
    void batchesRunAtMostParallelismAtATime() {
        Set<String> released = ConcurrentHashMap.newKeySet();
        h.aws.holdRunning(task -> !released.contains(task.arn()));
        h.create(Specs.with(Specs.with(h.taskJob("wide", uris(7)), "batch.size", 2), "parallelism", 3));

        IiifJob three = h.await("wide", j -> running(j, 3));
        assertThat(three.getStatus().batches()).hasSize(4);
        assertThat(three.getStatus().progress()).isEqualTo("0/4");
        assertThat(h.aws.calls("RunTask")).isEqualTo(3);

        h.aws.launched().forEach(t -> released.add(t.arn()));
        h.await("wide", j -> running(j, 1) && j.getStatus().succeeded() == 3);
        h.aws.holdRunning(task -> false);
        IiifJob done = h.awaitFinished("wide");

        assertThat(done.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(done.getStatus().batches())
                .extracting(b -> b.uris().first() + "-" + b.uris().last())
                .containsExactly("0-1", "2-3", "4-5", "6-6");
        assertThat(h.aws.launched()).extracting(TaskView::batch).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(h.aws.launched())
                .filteredOn(t -> t.batch() == 3)
                .singleElement()
                .satisfies(t -> assertThat(t.command())
                        .endsWith(
                                "--",
                                "file:///collection/2024/IMG_00006.JPG?target=%2Fcollection%2F2024%2FIMG_00006.JPG"));
    }

    @Test
    void failedRunsAreRetriedUpToTheBackoffLimit() {
        h.aws.outcomes(task -> task.attempt() <= 2 ? TaskOutcome.exit(1) : TaskOutcome.SUCCESS);
        h.create(Specs.with(h.taskJob("flaky", "a.jpg"), "backoffLimit", 2));

        IiifJob job = h.awaitFinished("flaky");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().failed()).isEqualTo(2);
        assertThat(job.getStatus().tasks())
                .extracting(TaskStatus::attempt, TaskStatus::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, TaskResult.Failed),
                        org.assertj.core.groups.Tuple.tuple(2, TaskResult.Failed),
                        org.assertj.core.groups.Tuple.tuple(3, TaskResult.Succeeded));
        assertThat(h.eventReasons("flaky")).filteredOn("TaskFailed"::equals).hasSize(2);
    }

    @Test
    void whenABatchExhaustsItsRetriesTheOtherTasksAreStoppedAndTheJobFails() {
        h.aws.holdRunning(task -> task.batch() == 1);
        h.aws.outcomes(task -> task.batch() == 0 ? TaskOutcome.exit(2) : TaskOutcome.SUCCESS);
        h.create(Specs.with(
                Specs.with(Specs.with(h.taskJob("doomed", "a.jpg", "b.jpg"), "batch.size", 1), "parallelism", 2),
                "backoffLimit",
                1));

        IiifJob job = h.awaitFinished("doomed");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Failed);
        Condition failed = job.getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("BackoffLimitExceeded");
        assertThat(failed.message())
                .isEqualTo(
                        "Batch 0 (URIs 0) failed 2 times, more than backoffLimit 1; last run: container iiif exited 2"
                                + " (EssentialContainerExited: Essential container in task exited)");
        TaskStatus other = job.getStatus().tasks().stream()
                .filter(t -> t.batch() == 1)
                .findFirst()
                .orElseThrow();
        assertThat(other.result()).isEqualTo(TaskResult.Stopped);
        assertThat(other.stoppedReason()).isEqualTo("iiif-aws: IiifJob test/doomed BackoffLimitExceeded");
        assertThat(job.getStatus().active()).isZero();
    }

    @Test
    void refusedLaunchesAreRetriedWithoutCountingAgainstTheBackoffLimit() {
        h.aws.refuseNextRunTasks(
                "RESOURCE:MEMORY",
                "Capacity is unavailable at this time. Please try again later or in a different availability zone",
                "RESOURCE:ENI");
        h.create(Specs.with(h.taskJob("squeezed", "a.jpg"), "backoffLimit", 0));

        IiifJob job = h.awaitFinished("squeezed");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().failed()).isZero();
        assertThat(job.getStatus().batches()).singleElement().satisfies(b -> assertThat(b.retries())
                .isEqualTo(3));
        assertThat(job.getStatus().tasks()).hasSize(1);
        assertThat(h.eventReasons("squeezed")).filteredOn("LaunchRetry"::equals).hasSize(3);
        // After a refusal the next RunTask carries another client token, so ECS cannot replay the refusal.
        String uid = job.getMetadata().getUid();
        assertThat(h.aws.requests("RunTask"))
                .extracting(r -> r.path("clientToken").asText())
                .containsExactly(uid + "-0-1", uid + "-0-1-r1", uid + "-0-1-r2", uid + "-0-1-r3");
    }

    @Test
    void infrastructureInterruptionsAreRetriedWithoutCounting() {
        h.aws.outcomes(task -> task.attempt() == 1 ? TaskOutcome.spotInterruption() : TaskOutcome.SUCCESS);
        h.create(Specs.with(h.taskJob("spot", "a.jpg"), "backoffLimit", 0));

        IiifJob job = h.awaitFinished("spot");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().failed()).isZero();
        assertThat(job.getStatus().tasks())
                .extracting(TaskStatus::result)
                .containsExactly(TaskResult.Interrupted, TaskResult.Succeeded);
        assertThat(job.getStatus().tasks().get(0).stopCode()).isEqualTo("SpotInterruption");
    }

    @Test
    void onlyTheGoIiifContainerDecidesAndSidecarsAreShown() {
        h.aws.outcomes(task -> TaskOutcome.exit(0).withSidecar("log-router", 137));
        h.create(Specs.with(h.taskJob("sidecar", "a.jpg"), "backoffLimit", 0));

        IiifJob job = h.awaitFinished("sidecar");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().tasks().get(0).otherContainers())
                .singleElement()
                .satisfies(c -> assertThat(c.name() + " " + c.exitCode()).isEqualTo("log-router 137"));
    }

    @Test
    void aTaskNotYetVisibleRightAfterLaunchIsWaitedFor() {
        h.aws.describeLag(Duration.ofMillis(800));
        h.create(Specs.with(h.taskJob("slow-to-appear", "a.jpg"), "backoffLimit", 0));

        IiifJob job = h.awaitFinished("slow-to-appear");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().tasks()).hasSize(1);
        assertThat(h.aws.requests("DescribeTasks")).hasSizeGreaterThan(4);
    }

    @Test
    void aRunningTaskThatVanishesIsLostAndItsBatchRunsAgain() {
        h.aws.holdRunning(task -> task.attempt() == 1);
        h.create(Specs.with(h.taskJob("vanishing", "a.jpg"), "backoffLimit", 0));
        IiifJob running = h.await("vanishing", j -> running(j, 1));

        h.aws.forget(running.getStatus().tasks().get(0).taskArn());
        IiifJob job = h.awaitFinished("vanishing");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().tasks())
                .extracting(TaskStatus::result)
                .containsExactly(TaskResult.Lost, TaskResult.Succeeded);
        assertThat(job.getStatus().failed()).isZero();
        assertThat(h.eventReasons("vanishing")).contains("TaskLost");
    }

    @Test
    void aDescribedTaskThatEcsForgetsIsLostAfterOneConfirmingLookNotAfterTheLaunchGrace() {
        h.stop();
        // Two minutes of grace for tasks ECS has not shown yet, as in production.
        var settings = OperatorHarness.fastSettings();
        h.start(new OperatorSettings(
                settings.pollInterval(),
                Duration.ofMinutes(2),
                settings.backoffs(),
                settings.reports(),
                settings.taskEvents(),
                settings.launchesPerSecond(),
                false));
        h.aws.holdRunning(task -> task.attempt() == 1);
        h.create(Specs.with(h.taskJob("forgotten", "a.jpg"), "backoffLimit", 0));
        IiifJob running = h.await(
                "forgotten",
                j -> running(j, 1)
                        && "RUNNING".equals(j.getStatus().tasks().get(0).lastStatus()));

        h.aws.forget(running.getStatus().tasks().get(0).taskArn());
        // Well within the two minutes the old rule waited from the launch.
        IiifJob job = h.awaitFinished("forgotten", Duration.ofSeconds(20));

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().tasks())
                .extracting(TaskStatus::result)
                .containsExactly(TaskResult.Lost, TaskResult.Succeeded);
        assertThat(h.events("forgotten"))
                .filteredOn(e -> "TaskLost".equals(e.getReason()))
                .singleElement()
                .satisfies(e -> assertThat(e.getNote()).endsWith("is no longer known to ECS; batch 0 runs again"));
    }

    @Test
    void aStoppedTaskIsNeverAskedAboutAgainSoEcsForgettingItChangesNothing() {
        h.create(Specs.with(Specs.with(h.taskJob("remembered", "a.jpg", "b.jpg"), "batch.size", 1), "parallelism", 1));
        IiifJob job = h.awaitFinished("remembered");
        String first = job.getStatus().tasks().get(0).taskArn();
        h.aws.forget(first);

        long describedAfterStop = h.aws.requests("DescribeTasks").stream()
                .dropWhile(r -> !contains(r, job.getStatus().tasks().get(1).taskArn()))
                .filter(r -> contains(r, first))
                .count();
        assertThat(describedAfterStop).isZero();
        assertThat(h.job("remembered").getStatus().tasks().get(0).result()).isEqualTo(TaskResult.Succeeded);
    }

    private static boolean contains(JsonNode describe, String arn) {
        for (JsonNode asked : describe.path("tasks")) {
            if (asked.asText().equals(arn)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void pastTheDeadlineRunningTasksAreStoppedAndTheJobFails() {
        h.aws.holdRunning(task -> true);
        h.create(Specs.with(h.taskJob("slow", "a.jpg"), "activeDeadlineSeconds", 2));

        IiifJob job = h.awaitFinished("slow", Duration.ofSeconds(20));

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Failed);
        Condition failed = job.getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("DeadlineExceeded");
        assertThat(failed.message()).isEqualTo("Job was active longer than its activeDeadlineSeconds (2 s)");
        String arn = job.getStatus().tasks().get(0).taskArn();
        var task = h.motoEcs
                .describeTasks(r -> r.cluster(h.cluster).tasks(arn))
                .tasks()
                .get(0);
        assertThat(task.lastStatus()).isEqualTo("STOPPED");
        assertThat(task.stoppedReason()).isEqualTo("iiif-aws: IiifJob test/slow DeadlineExceeded");
        assertThat(Duration.between(
                        java.time.Instant.parse(job.getStatus().startTime()),
                        java.time.Instant.parse(job.getStatus().completionTime())))
                .isBetween(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    @Test
    void suspendStopsTheTasksAndResumeRunsTheBatchAgain() {
        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("paused", "a.jpg"));
        h.await("paused", j -> running(j, 1));

        h.client()
                .resources(IiifJob.class)
                .inNamespace(OperatorHarness.NAMESPACE)
                .withName("paused")
                .edit(j -> Specs.with(j, "suspend", true));
        IiifJob suspended = h.await(
                "paused",
                j -> j.getStatus()
                                .condition(Condition.SUSPENDED)
                                .map(Condition::isTrue)
                                .orElse(false)
                        && j.getStatus().active() == 0);
        assertThat(suspended.getStatus().phase()).isEqualTo(Phase.Pending);
        assertThat(suspended.getStatus().startTime()).isNull();
        assertThat(suspended.getStatus().tasks()).singleElement().satisfies(t -> assertThat(t.result())
                .isEqualTo(TaskResult.Stopped));
        int launches = h.aws.calls("RunTask");

        h.aws.holdRunning(task -> false);
        h.client()
                .resources(IiifJob.class)
                .inNamespace(OperatorHarness.NAMESPACE)
                .withName("paused")
                .edit(j -> Specs.with(j, "suspend", false));
        IiifJob done = h.awaitFinished("paused");

        assertThat(done.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(h.aws.calls("RunTask")).isEqualTo(launches + 1);
        assertThat(done.getStatus().tasks()).extracting(TaskStatus::attempt).containsExactly(1, 2);
        assertThat(done.getStatus().failed()).isZero();
        Condition resumed = done.getStatus().condition(Condition.SUSPENDED).orElseThrow();
        assertThat(resumed.status() + " " + resumed.reason()).isEqualTo("False JobResumed");
        assertThat(h.eventReasons("paused"))
                .containsSubsequence(
                        "Launched", "Suspended", "StoppingTask", "TaskStopped", "Resumed", "Launched", "Completed");
    }

    @Test
    void aFinishedJobIsDeletedAfterItsTtl() {
        h.create(Specs.with(h.taskJob("short-lived", "a.jpg"), "ttlSecondsAfterFinished", 1));
        IiifJob job = h.awaitFinished("short-lived");
        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.job("short-lived") == null);
    }

    @Test
    void nothingIsWrittenWhileNothingMoves() throws InterruptedException {
        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("quiet", "a.jpg"));
        IiifJob running = h.await("quiet", j -> running(j, 1));
        int describes = h.aws.calls("DescribeTasks");

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> h.aws.calls("DescribeTasks") >= describes + 10);

        IiifJob later = h.job("quiet");
        assertThat(later.getMetadata().getResourceVersion())
                .isEqualTo(running.getMetadata().getResourceVersion());
        assertThat(later.getStatus()).isEqualTo(running.getStatus());
    }

    @Test
    void tenThousandUrisRunInBatchesWithinTheOverridesLimit() {
        h.create(Specs.with(h.taskJob("big", uris(10_000)), "parallelism", 50));

        IiifJob job = h.awaitFinished("big", Duration.ofSeconds(90));

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        List<BatchStatus> batches = job.getStatus().batches();
        assertThat(batches.size()).isBetween(60, 120);
        assertThat(batches.get(batches.size() - 1).uris().last()).isEqualTo(9_999);
        assertThat(h.aws.launched()).hasSize(batches.size());
        assertThat(h.aws.launched()).allSatisfy(t -> assertThat(
                        io.iiifaws.ecs.TaskRequest.overridesLength(t.container(), t.command(), t.environment()))
                .isLessThanOrEqualTo(8192));
        assertThat(h.aws.launched().stream()
                        .mapToInt(t -> t.command().size() - t.command().indexOf("--") - 1)
                        .sum())
                .isEqualTo(10_000);
        assertThat(job.getStatus().progress()).isEqualTo(batches.size() + "/" + batches.size());
    }
}
