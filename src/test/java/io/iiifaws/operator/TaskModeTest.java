package io.iiifaws.operator;

import static io.iiifaws.testing.OperatorHarness.finished;
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

    IiifJob job = h.await("ok", finished());

    assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
    assertThat(job.getStatus().condition(Condition.COMPLETE)).get().extracting(Condition::status).isEqualTo("True");
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
    assertThat(job.getStatus().observedGeneration()).isEqualTo(job.getMetadata().getGeneration());

    TaskView launched = h.aws.launched().get(0);
    assertThat(launched.command()).containsExactly(
        "/bin/iiif-process", "-config-source", "file:///etc/go-iiif", "-config-name", "config.json",
        "-instructions-source", "file:///etc/go-iiif", "-instructions-name", "instructions.json",
        "--", "avocado.png", "collection/IMG_0084.JPG");
    assertThat(launched.startedBy()).isEqualTo(job.getMetadata().getUid());
    assertThat(launched.tags()).containsEntry("iiif-aws.io/job", "ok").containsEntry("iiif-aws.io/namespace", "test");
    var runTask = h.aws.requests("RunTask").get(0);
    assertThat(runTask.path("launchType").asText()).isEqualTo("FARGATE");
    assertThat(runTask.path("networkConfiguration").path("awsvpcConfiguration").path("subnets").get(0).asText())
        .isEqualTo(h.network.subnet());
    assertThat(h.eventReasons("ok")).contains("Launched", "TaskSucceeded", "Completed");
    assertThat(h.tasksInEcs()).hasSize(1);
  }

  @Test
  void aNonZeroExitCodeFailsTheJobWithTheReasons() {
    h.aws.outcomes(task -> TaskOutcome.exit(3));
    h.create(Specs.with(h.taskJob("bad", "a.jpg"), "backoffLimit", 0));

    IiifJob job = h.await("bad", finished());

    assertThat(job.getStatus().phase()).isEqualTo(Phase.Failed);
    Condition failed = job.getStatus().condition(Condition.FAILED).orElseThrow();
    assertThat(failed.reason()).isEqualTo("BackoffLimitExceeded");
    assertThat(failed.message()).contains("container iiif exited 3", "EssentialContainerExited", "Essential container in task exited");
    TaskStatus task = job.getStatus().tasks().get(0);
    assertThat(task.exitCode()).isEqualTo(3);
    assertThat(task.stopCode()).isEqualTo("EssentialContainerExited");
    assertThat(task.result()).isEqualTo(TaskResult.Failed);
    assertThat(job.getStatus().failed()).isEqualTo(1);
    assertThat(h.tasksInEcs()).hasSize(1);
  }
}
