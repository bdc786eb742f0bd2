package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.api.TaskResult;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import io.iiifaws.testing.TaskOutcome;
import io.iiifaws.testing.TaskView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskModeTest {
    OperatorHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness().start();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void aJobRunsItsTaskToSuccess() {
        h.create(h.taskJob("ok", "avocado.png", "collection/IMG_0084.JPG"));

        IiifJob job = h.awaitFinished("ok");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().condition(Condition.COMPLETE))
                .get()
                .extracting(Condition::status)
                .isEqualTo("True");
        assertThat(job.getStatus().tasks()).singleElement().satisfies(t -> {
            assertThat(t.lastStatus()).isEqualTo("STOPPED");
            assertThat(t.exitCode()).isZero();
            assertThat(t.result()).isEqualTo(TaskResult.Succeeded);
            assertThat(t.uris().first()).isZero();
            assertThat(t.uris().last()).isEqualTo(1);
        });
        assertThat(job.getStatus().startTime()).isNotNull();
        assertThat(job.getStatus().completionTime()).isNotNull();
        assertThat(job.getStatus().progress()).isEqualTo("1/1");
        // Status is written with JSON patches: lists are replaced, never appended to.
        assertThat(job.getStatus().conditions()).extracting(Condition::type).containsExactly(Condition.COMPLETE);
        assertThat(job.getStatus().batches()).hasSize(1);
        assertThat(job.getStatus().observedGeneration())
                .isEqualTo(job.getMetadata().getGeneration());

        TaskView launched = h.aws.launched().get(0);
        assertThat(launched.command())
                .containsExactly(
                        "/bin/iiif-process",
                        "-config-source",
                        "file:///etc/go-iiif",
                        "-config-name",
                        "config.json",
                        "-instructions-source",
                        "file:///etc/go-iiif",
                        "-instructions-name",
                        "instructions.json",
                        "--",
                        "file:///avocado.png?target=%2Favocado.png",
                        "file:///collection/IMG_0084.JPG?target=%2Fcollection%2FIMG_0084.JPG");
        assertThat(launched.startedBy()).isEqualTo(job.getMetadata().getUid());
        assertThat(launched.tags())
                .containsEntry("iiif-aws.io/job", "ok")
                .containsEntry("iiif-aws.io/namespace", "test");
        var runTask = h.aws.requests("RunTask").get(0);
        assertThat(runTask.path("launchType").asText()).isEqualTo("FARGATE");
        assertThat(runTask.path("networkConfiguration")
                        .path("awsvpcConfiguration")
                        .path("subnets")
                        .get(0)
                        .asText())
                .isEqualTo(h.network.subnet());
        assertThat(h.eventReasons("ok")).contains("Launched", "TaskSucceeded", "Completed");
        assertThat(h.tasksInEcs()).hasSize(1);
    }

    @Test
    void aNonZeroExitCodeFailsTheJobWithTheReasons() {
        h.aws.outcomes(task -> TaskOutcome.exit(3));
        h.create(Specs.with(h.taskJob("bad", "a.jpg"), "backoffLimit", 0));

        IiifJob job = h.awaitFinished("bad");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Failed);
        Condition failed = job.getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("BackoffLimitExceeded");
        assertThat(failed.message())
                .contains("container iiif exited 3", "EssentialContainerExited", "Essential container in task exited");
        TaskStatus task = job.getStatus().tasks().get(0);
        assertThat(task.exitCode()).isEqualTo(3);
        assertThat(task.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(task.result()).isEqualTo(TaskResult.Failed);
        assertThat(job.getStatus().failed()).isEqualTo(1);
        assertThat(h.tasksInEcs()).hasSize(1);
    }

    @Test
    void anOperatorRestartMidJobNeitherLosesTheJobNorLaunchesASecondTask() {
        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("survivor", "a.jpg", "b.jpg"));
        h.await(
                "survivor",
                j -> j.getStatus() != null
                        && j.getStatus().active() != null
                        && j.getStatus().active() == 1);

        h.stop();
        h.aws.holdRunning(task -> false);
        h.start();

        IiifJob job = h.awaitFinished("survivor");
        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getStatus().tasks()).hasSize(1);
        assertThat(h.aws.calls("RunTask")).isEqualTo(1);
        assertThat(h.tasksInEcs()).hasSize(1);
    }

    @Test
    void awsErrorsThatWillNotHealFailTheJobWithAwsMessage() {
        h.create(Specs.with(h.taskJob("no-such-definition", "a.jpg"), "task.taskDefinition", "does-not-exist:7"));
        IiifJob unknown = h.awaitFinished("no-such-definition");
        assertThat(unknown.getStatus().phase()).isEqualTo(Phase.Failed);
        Condition failed = unknown.getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("AwsError");
        assertThat(failed.message()).isEqualTo("RunTask: ClientException: Unable to describe task definition.");

        h.aws.failNext("RunTask", io.iiifaws.testing.FaultyAws.Fault.accessDenied("ecs:RunTask"));
        h.create(h.taskJob("denied", "a.jpg"));
        IiifJob denied = h.awaitFinished("denied");
        assertThat(denied.getStatus().condition(Condition.FAILED).orElseThrow().message())
                .isEqualTo(
                        "RunTask: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/iiif-aws/operator"
                                + " is not authorized to perform: ecs:RunTask");
        assertThat(h.tasksInEcs()).isEmpty();
    }

    @Test
    void throttlingAndServerErrorsAreRetriedWithinTheCallAndNeverReachTheJob() {
        var throttle = io.iiifaws.testing.FaultyAws.Fault.throttling();
        var server = io.iiifaws.testing.FaultyAws.Fault.serverError();
        h.aws.failNext("RunTask", throttle, server, throttle);
        h.aws.failNext("DescribeTasks", server, throttle);
        h.create(h.taskJob("bumpy", "a.jpg"));

        IiifJob job = h.awaitFinished("bumpy");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(h.aws.calls("RunTask")).isEqualTo(4);
        assertThat(job.getStatus().batches()).singleElement().satisfies(b -> assertThat(b.retries())
                .isZero());
        assertThat(job.getStatus().tasks()).hasSize(1);
        assertThat(h.eventReasons("bumpy")).doesNotContain("LaunchRetry");
        assertThat(h.tasksInEcs()).hasSize(1);
    }

    @Test
    void withThirtyPercentOfEcsCallsThrottledTwentyJobsFinishAsIfNoneWere() {
        h.aws.faultRates(
                java.util.Map.of("RunTask", 0.3, "DescribeTasks", 0.3, "ListTasks", 0.3, "StopTask", 0.3),
                io.iiifaws.testing.FaultyAws.Fault.throttling());
        for (int i = 0; i < 20; i++) {
            h.create(h.taskJob("busy-" + i, "a.jpg", "b.jpg"));
        }

        for (int i = 0; i < 20; i++) {
            IiifJob job = h.awaitFinished("busy-" + i, java.time.Duration.ofSeconds(60));
            assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
            assertThat(job.getStatus().batches())
                    .allSatisfy(b -> assertThat(b.retries()).isZero());
            assertThat(job.getStatus().tasks()).hasSize(1);
            assertThat(h.eventReasons("busy-" + i)).doesNotContain("LaunchRetry");
        }
        assertThat(h.aws.faultsGiven()).isGreaterThan(10);
        assertThat(h.tasksInEcs()).hasSize(20);
    }

    @Test
    void anImpossibleSpecFailsWithoutAnyAwsCall() {
        h.create(Specs.with(h.taskJob("flag", "ok.jpg", "-config=/tmp/evil.json"), "task.container", null));

        IiifJob job = h.awaitFinished("flag");

        Condition failed = job.getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("InvalidSpec");
        assertThat(failed.message()).startsWith("spec.uris[1] ('-config=/tmp/evil.json') starts with '-'");
        assertThat(h.eventReasons("flag")).containsExactly("InvalidSpec");
        assertThat(h.aws.totalCalls()).isZero();
    }

    @Test
    void aJobWhoseClusterDoesNotExistIsDeletedAtOnce() {
        h.create(Specs.with(h.taskJob("nowhere", "a.jpg"), "task.cluster", "no-such-cluster"));
        IiifJob failed = h.awaitFinished("nowhere");
        assertThat(failed.getStatus().condition(Condition.FAILED).orElseThrow().message())
                .isEqualTo("RunTask: ClusterNotFoundException: Cluster not found.");

        h.client().resource(failed).delete();

        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> h.job("nowhere") == null);
    }
}
