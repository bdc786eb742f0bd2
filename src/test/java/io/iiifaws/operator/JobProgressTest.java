package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.Phase;
import io.iiifaws.api.TaskResult;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.api.UriRange;
import io.iiifaws.ecs.Batch;
import io.iiifaws.ecs.ContainerState;
import io.iiifaws.ecs.TaskObservation;
import io.iiifaws.operator.TaskLabels.RunId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Status and condition logic, without AWS or Kubernetes. */
class JobProgressTest {
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    static final Backoffs FIXED = Backoffs.scaled(Duration.ofSeconds(10), Duration.ofSeconds(10));

    static IiifJob job(IiifJobStatus status) {
        IiifJob job = new IiifJob();
        job.setMetadata(new ObjectMetaBuilder()
                .withName("j")
                .withNamespace("ns")
                .withUid("u")
                .withGeneration(3L)
                .build());
        job.setSpec(new io.iiifaws.api.IiifJobSpec(
                List.of("a.jpg", "b.jpg", "c.jpg"),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null));
        job.setStatus(status);
        return job;
    }

    static final List<Batch> TWO_BATCHES = List.of(
            new Batch(0, new UriRange(0, 1), List.of("a.jpg", "b.jpg")),
            new Batch(1, new UriRange(2, 2), List.of("c.jpg")));

    static TaskObservation stopped(String arn, Integer exit) {
        return new TaskObservation(
                arn,
                false,
                "STOPPED",
                "STOPPED",
                "EssentialContainerExited",
                "Essential container in task exited",
                T0,
                T0,
                List.of(new ContainerState("iiif", "STOPPED", exit, null)),
                Map.of(),
                Map.of(),
                2);
    }

    static TaskObservation running(String arn) {
        return new TaskObservation(
                arn,
                false,
                "RUNNING",
                "RUNNING",
                null,
                null,
                T0,
                null,
                List.of(new ContainerState("iiif", "RUNNING", null, null)),
                Map.of(),
                Map.of(),
                1);
    }

    @Test
    void conditionsMoveTheirTransitionTimeOnlyWhenTheirStatusChanges() {
        List<Condition> none = List.of();
        List<Condition> suspended = Conditions.set(none, "Suspended", true, "JobSuspended", "Job suspended", T0, 1L);
        assertThat(suspended)
                .containsExactly(new Condition(
                        "Suspended", "True", "JobSuspended", "Job suspended", "2026-11-25T10:00:00Z", 1L));

        List<Condition> reworded =
                Conditions.set(suspended, "Suspended", true, "JobSuspended", "Still suspended", T0.plusSeconds(60), 2L);
        assertThat(reworded.get(0).lastTransitionTime()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(reworded.get(0).message()).isEqualTo("Still suspended");
        assertThat(reworded.get(0).observedGeneration()).isEqualTo(2L);

        List<Condition> resumed =
                Conditions.set(reworded, "Suspended", false, "JobResumed", "Job resumed", T0.plusSeconds(120), 2L);
        assertThat(resumed.get(0).status()).isEqualTo("False");
        assertThat(resumed.get(0).lastTransitionTime()).isEqualTo("2026-11-25T10:02:00Z");

        assertThat(Conditions.set(none, "Suspended", false, "JobResumed", "Job resumed", T0, 1L))
                .isEmpty();
        assertThat(Conditions.set(none, "Failed", true, "X", "m".repeat(40_000), T0, 1L)
                        .get(0)
                        .message())
                .hasSize(32768);
    }

    @Test
    void aFreshJobIsPendingWithItsBatchesLaidOut() {
        IiifJobStatus status = new JobProgress(job(null), TWO_BATCHES, T0, FIXED).toStatus();

        assertThat(status.phase()).isEqualTo(Phase.Pending);
        assertThat(status.progress()).isEqualTo("0/2");
        assertThat(status.active()).isZero();
        assertThat(status.observedGeneration()).isEqualTo(3L);
        assertThat(status.batches()).extracting(b -> b.uris().toString()).containsExactly("0-1", "2");
        assertThat(status.tasks()).isEmpty();
        assertThat(status.conditions()).isEmpty();
    }

    @Test
    void aFailedRunCountsAgainstItsBatchAndWaitsOutABackoff() {
        JobProgress progress = new JobProgress(job(null), TWO_BATCHES, T0, FIXED);
        TaskStatus task = progress.launched(new RunId(0, 1), "arn:t1", "c");
        assertThat(progress.toStatus().phase()).isEqualTo(Phase.Running);
        assertThat(progress.toStatus().active()).isEqualTo(1);

        progress.observe(task, stopped("arn:t1", 2), 0, "iiif", Duration.ofMinutes(2));
        IiifJobStatus status = progress.toStatus();

        assertThat(status.phase()).isEqualTo(Phase.Pending);
        assertThat(status.failed()).isEqualTo(1);
        assertThat(status.batches().get(0).phase()).isEqualTo(Phase.Pending);
        assertThat(Instant.parse(status.batches().get(0).notBefore()))
                .as("half jitter of 10 s")
                .isBetween(T0.plusSeconds(4), T0.plusSeconds(10));
        assertThat(status.tasks().get(0).result()).isEqualTo(TaskResult.Failed);
        assertThat(progress.launchable(5)).extracting(b -> b.index()).containsExactly(1);
        assertThat(progress.exhausted(0)).isPresent();
        assertThat(progress.exhausted(1)).isEmpty();
        assertThat(progress.nextAttempt(0)).isEqualTo(2);
        assertThat(progress.events()).extracting(JobEvent::reason).containsExactly("TaskFailed");
    }

    @Test
    void aTaskEcsDoesNotKnowIsWaitedForThenLost() {
        JobProgress progress = new JobProgress(job(null), TWO_BATCHES, T0, FIXED);
        TaskStatus task = progress.launched(new RunId(1, 1), "arn:t1", "c");

        progress.observe(task, TaskObservation.missing("arn:t1"), 1, "iiif", Duration.ofMinutes(2));
        assertThat(progress.toStatus().tasks().get(0).result()).isNull();

        JobProgress later = new JobProgress(job(progress.toStatus()), TWO_BATCHES, T0.plusSeconds(121), FIXED);
        later.observe(later.activeTasks().get(0), TaskObservation.missing("arn:t1"), 2, "iiif", Duration.ofMinutes(2));
        IiifJobStatus status = later.toStatus();
        assertThat(status.tasks().get(0).result()).isEqualTo(TaskResult.Lost);
        assertThat(status.batches().get(1).retries()).isEqualTo(1);
        assertThat(status.failed()).isZero();
    }

    @Test
    void successOfEveryBatchCompletesTheJob() {
        JobProgress progress = new JobProgress(job(null), TWO_BATCHES, T0, FIXED);
        progress.observe(
                progress.launched(new RunId(0, 1), "arn:a", "c"), stopped("arn:a", 0), 0, "iiif", Duration.ZERO);
        assertThat(progress.allSucceeded()).isFalse();
        progress.observe(
                progress.launched(new RunId(1, 1), "arn:b", "c"), stopped("arn:b", 0), 0, "iiif", Duration.ZERO);
        assertThat(progress.allSucceeded()).isTrue();

        progress.complete("CompletionsReached", "done");
        IiifJobStatus status = progress.toStatus();
        assertThat(status.phase()).isEqualTo(Phase.Succeeded);
        assertThat(status.progress()).isEqualTo("2/2");
        assertThat(status.completionTime()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(status.condition("Complete"))
                .get()
                .extracting(Condition::reason)
                .isEqualTo("CompletionsReached");
    }

    @Test
    void aBackoffThatEndedIsNoReasonToLookAgainAtOnce() {
        JobProgress progress = new JobProgress(job(null), TWO_BATCHES, T0, FIXED);
        progress.observe(
                progress.launched(new RunId(0, 1), "arn:a", "c"), stopped("arn:a", 1), 0, "iiif", Duration.ZERO);
        assertThat(progress.nextLaunch()).get().matches(t -> t.isAfter(T0));

        JobProgress later = new JobProgress(job(progress.toStatus()), TWO_BATCHES, T0.plusSeconds(60), FIXED);
        assertThat(later.nextLaunch()).isEmpty();
        assertThat(later.launchable(1)).extracting(b -> b.index()).containsExactly(0);
        assertThat(later.nextAttempt(0)).isEqualTo(2);
    }

    @Test
    void anOlderRunFoundLateDoesNotMoveItsBatch() {
        JobProgress progress = new JobProgress(job(null), TWO_BATCHES, T0, FIXED);
        progress.observe(
                progress.launched(new RunId(0, 2), "arn:second", "c"),
                stopped("arn:second", 0),
                0,
                "iiif",
                Duration.ZERO);
        progress.observe(
                progress.launched(new RunId(0, 1), "arn:first", "c"),
                stopped("arn:first", 3),
                0,
                "iiif",
                Duration.ZERO);

        IiifJobStatus status = progress.toStatus();
        assertThat(status.batches().get(0).phase()).isEqualTo(Phase.Succeeded);
        assertThat(status.batches().get(0).failures()).isZero();
        assertThat(status.batches().get(0).attempts()).isEqualTo(2);
    }

    @Test
    void aTaskEcsKnewIsLostOnlyAfterTwoDescribesDidNotKnowIt() {
        JobProgress progress = new JobProgress(job(null), TWO_BATCHES, T0, FIXED);
        TaskStatus launched = progress.launched(new RunId(0, 1), "arn:t1", "c");
        progress.observe(launched, running("arn:t1"), 0, "iiif", Duration.ofMinutes(2));
        TaskObservation unknown = TaskObservation.missing("arn:t1");

        progress.observe(progress.activeTasks().get(0), unknown, 1, "iiif", Duration.ofMinutes(2));
        assertThat(progress.activeTasks().get(0).lastStatus()).isEqualTo(JobProgress.MISSING);
        // A pass that reads the same describe again learns nothing new.
        progress.observe(progress.activeTasks().get(0), unknown, 1, "iiif", Duration.ofMinutes(2));
        assertThat(progress.activeTasks()).hasSize(1);

        progress.observe(progress.activeTasks().get(0), unknown, 2, "iiif", Duration.ofMinutes(2));
        assertThat(progress.toStatus().tasks().get(0).result()).isEqualTo(TaskResult.Lost);
        assertThat(progress.events()).extracting(JobEvent::reason).containsExactly("TaskLost");
    }

    @Test
    void pastAThousandTasksTheOldestReplacedRunsAreDropped() {
        List<Batch> one = List.of(new Batch(0, new UriRange(0, 0), List.of("a.jpg")));
        JobProgress progress = new JobProgress(job(null), one, T0, FIXED);
        for (int attempt = 1; attempt <= JobProgress.MAX_TASKS + 5; attempt++) {
            TaskStatus task = progress.launched(new RunId(0, attempt), "arn:" + attempt, "c");
            progress.observe(task, TaskObservation.missing("arn:" + attempt), 1, "iiif", Duration.ZERO);
        }
        IiifJobStatus status = progress.toStatus();
        assertThat(status.tasks()).hasSize(JobProgress.MAX_TASKS);
        assertThat(status.tasks().get(status.tasks().size() - 1).attempt()).isEqualTo(JobProgress.MAX_TASKS + 5);
        assertThat(new JobProgress(job(status), one, T0, FIXED).nextAttempt(0)).isEqualTo(JobProgress.MAX_TASKS + 6);
    }

    @Test
    void statusKeepsToItsBudgetByDroppingTheOldestFinishedRunsNeverARunningOne() {
        List<Batch> many = new java.util.ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(new Batch(i, new UriRange(i, i), List.of(i + ".jpg")));
        }
        JobProgress progress = new JobProgress(job(null), many, T0, FIXED);
        // Every batch failed twice with long reasons, and is running its third attempt.
        String reason = "CannotPullContainerError: " + "x".repeat(200);
        for (int attempt = 1; attempt <= 3; attempt++) {
            for (int batch = 0; batch < 500; batch++) {
                String arn = "arn:aws:ecs:us-east-1:123456789012:task/iiif/"
                        + String.format("%032d", attempt * 1000 + batch);
                TaskStatus task = progress.launched(new RunId(batch, attempt), arn, "iiif");
                if (attempt < 3) {
                    progress.observe(
                            task,
                            new TaskObservation(
                                    arn,
                                    false,
                                    "STOPPED",
                                    "STOPPED",
                                    "TaskFailedToStart",
                                    reason,
                                    T0,
                                    T0,
                                    List.of(new ContainerState("iiif", "STOPPED", null, reason)),
                                    Map.of(),
                                    Map.of(),
                                    1),
                            0,
                            "iiif",
                            Duration.ZERO);
                }
            }
        }
        IiifJobStatus status = progress.toStatus();

        assertThat(StatusSize.of(status)).isLessThanOrEqualTo(JobProgress.STATUS_BUDGET);
        assertThat(status.tasks()).filteredOn(TaskStatus::isActive).hasSize(500);
        assertThat(status.tasks()).filteredOn(t -> !t.isActive()).isNotEmpty().allSatisfy(t -> assertThat(t.attempt())
                .isEqualTo(2));
        assertThat(new JobProgress(job(status), many, T0, FIXED).nextAttempt(0)).isEqualTo(4);
    }
}
