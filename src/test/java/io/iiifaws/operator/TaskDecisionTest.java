package io.iiifaws.operator;

import static io.iiifaws.operator.JobProgressTest.FIXED;
import static io.iiifaws.operator.JobProgressTest.T0;
import static io.iiifaws.operator.JobProgressTest.TWO_BATCHES;
import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.api.BatchStatus;
import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.Phase;
import io.iiifaws.operator.TaskLabels.RunId;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** What a Task-mode pass decides from spec and status alone: no AWS, no Kubernetes, no clock. */
class TaskDecisionTest {
    static final String UNCHECKED = "no reports location";
    static final java.time.Duration GRACE = java.time.Duration.ofSeconds(30);

    static IiifJobSpec spec(int parallelism, int backoffLimit, Long deadline, boolean suspend) {
        return new IiifJobSpec(
                List.of("a.jpg", "b.jpg", "c.jpg"),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                parallelism,
                backoffLimit,
                deadline,
                suspend,
                null,
                null);
    }

    /** The job as the next pass reads it: with the status the earlier passes wrote. */
    static IiifJob job(IiifJobSpec spec, IiifJobStatus status) {
        IiifJob job = JobProgressTest.job(status);
        job.setSpec(spec);
        return job;
    }

    static IiifJobStatus after(IiifJobSpec spec, Consumer<JobProgress> passes) {
        JobProgress progress = new JobProgress(job(spec, null), TWO_BATCHES, T0, FIXED);
        passes.accept(progress);
        return progress.toStatus();
    }

    static JobProgress at(Instant now, IiifJobSpec spec, IiifJobStatus status) {
        return new JobProgress(job(spec, status), TWO_BATCHES, now, FIXED);
    }

    @Test
    void aFreshJobRecordsItsStartBeforeItLaunchesAnything() {
        IiifJobSpec spec = spec(2, 3, null, false);
        JobProgress progress = at(T0, spec, null);

        assertThat(TaskDecision.decide(spec, progress, UNCHECKED)).isEqualTo(new TaskDecision.RecordStart());
        assertThat(progress.toStatus().startTime()).isEqualTo("2026-11-25T10:00:00Z");
        assertThat(progress.toStatus().tasks()).isEmpty();
    }

    @Test
    void aStartedJobLaunchesAsManyPendingBatchesAsParallelismLeavesRoomFor() {
        IiifJobSpec one = spec(1, 3, null, false);
        IiifJobSpec two = spec(2, 3, null, false);
        IiifJobStatus started = after(one, JobProgress::start);

        var decided = TaskDecision.decide(one, at(T0, one, started), UNCHECKED);
        assertThat(decided).isInstanceOf(TaskDecision.Launch.class);
        assertThat(((TaskDecision.Launch) decided).batches())
                .extracting(BatchStatus::index)
                .containsExactly(0);
        assertThat(((TaskDecision.Launch) TaskDecision.decide(two, at(T0, two, started), UNCHECKED)).batches())
                .extracting(BatchStatus::index)
                .containsExactly(0, 1);

        IiifJobStatus oneRunning = after(one, p -> {
            p.start();
            p.launched(new RunId(0, 1), "arn:task/0", "c");
        });
        assertThat(TaskDecision.decide(one, at(T0, one, oneRunning), UNCHECKED))
                .isEqualTo(new TaskDecision.Launch(List.of()));
    }

    @Test
    void aJobWhoseBatchesAllSucceededCompletesAndDoesNothingMore() {
        IiifJobSpec spec = spec(2, 3, null, false);
        IiifJobStatus done = after(spec, p -> {
            p.start();
            p.launched(new RunId(0, 1), "arn:task/0", "c");
            p.launched(new RunId(1, 1), "arn:task/1", "c");
            p.observe(p.tasks().get(0), JobProgressTest.stopped("arn:task/0", 0), 0, "iiif", GRACE);
            p.observe(p.tasks().get(1), JobProgressTest.stopped("arn:task/1", 0), 0, "iiif", GRACE);
        });
        JobProgress progress = at(T0.plusSeconds(60), spec, done);

        assertThat(TaskDecision.decide(spec, progress, UNCHECKED)).isEqualTo(new TaskDecision.Idle());
        assertThat(progress.toStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(progress.toStatus()
                        .condition(Condition.COMPLETE)
                        .orElseThrow()
                        .message())
                .startsWith("All 2 batches (3 URIs) succeeded");
    }

    @Test
    void aBatchPastItsBackoffLimitStopsTheOtherTasksThenFailsTheJob() {
        IiifJobSpec spec = spec(2, 0, null, false);
        IiifJobStatus oneFailed = after(spec, p -> {
            p.start();
            p.launched(new RunId(0, 1), "arn:task/0", "c");
            p.launched(new RunId(1, 1), "arn:task/1", "c");
            p.observe(p.tasks().get(0), JobProgressTest.stopped("arn:task/0", 1), 0, "iiif", GRACE);
        });
        JobProgress draining = at(T0.plusSeconds(60), spec, oneFailed);

        assertThat(TaskDecision.decide(spec, draining, UNCHECKED))
                .isEqualTo(new TaskDecision.StopActive("BackoffLimitExceeded"));
        assertThat(draining.toStatus().phase()).isEqualTo(Phase.Running);

        IiifJobStatus drained = draining.toStatus();
        JobProgress last = at(T0.plusSeconds(90), spec, drained);
        last.observe(last.activeTasks().get(0), JobProgressTest.stopped("arn:task/1", 0), 0, "iiif", GRACE);

        assertThat(TaskDecision.decide(spec, last, UNCHECKED)).isEqualTo(new TaskDecision.Idle());
        assertThat(last.toStatus().phase()).isEqualTo(Phase.Failed);
        assertThat(last.toStatus().condition(Condition.FAILED).orElseThrow().reason())
                .isEqualTo("BackoffLimitExceeded");
    }

    @Test
    void pastTheDeadlineTheRunningTasksAreStopped() {
        IiifJobSpec spec = spec(1, 3, 600L, false);
        IiifJobStatus running = after(spec, p -> {
            p.start();
            p.launched(new RunId(0, 1), "arn:task/0", "c");
        });

        assertThat(TaskDecision.decide(spec, at(T0.plusSeconds(599), spec, running), UNCHECKED))
                .isEqualTo(new TaskDecision.Launch(List.of()));
        assertThat(TaskDecision.decide(spec, at(T0.plusSeconds(600), spec, running), UNCHECKED))
                .isEqualTo(new TaskDecision.StopActive("DeadlineExceeded"));
    }

    @Test
    void aSuspendedJobStopsItsTasksAndLaunchesNothingUntilResumed() {
        IiifJobSpec running = spec(1, 3, null, false);
        IiifJobSpec suspended = spec(1, 3, null, true);
        IiifJobStatus oneRunning = after(running, p -> {
            p.start();
            p.launched(new RunId(0, 1), "arn:task/0", "c");
        });
        JobProgress progress = at(T0.plusSeconds(30), suspended, oneRunning);

        assertThat(TaskDecision.decide(suspended, progress, UNCHECKED))
                .isEqualTo(new TaskDecision.StopActive("suspended"));
        assertThat(progress.isSuspended()).isTrue();

        JobProgress resumed = at(T0.plusSeconds(60), running, progress.toStatus());
        resumed.observe(resumed.activeTasks().get(0), JobProgressTest.stopped("arn:task/0", 0), 0, "iiif", GRACE);
        assertThat(TaskDecision.decide(running, resumed, UNCHECKED)).isInstanceOf(TaskDecision.Launch.class);
        assertThat(resumed.isSuspended()).isFalse();
    }
}
