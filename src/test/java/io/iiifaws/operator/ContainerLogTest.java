package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.api.TaskStatus;
import io.iiifaws.testing.FaultyAws.Fault;
import io.iiifaws.testing.GoIiifDouble;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import io.iiifaws.testing.TaskOutcome;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkMode;

/** A run that failed, in the go-iiif container's own words from moto's CloudWatch Logs. */
class ContainerLogTest {
    OperatorHarness h;
    CloudWatchLogsClient logs;
    String group;
    String taskDefinition;

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness().start();
        logs = CloudWatchLogsClient.builder()
                .region(Region.of(OperatorHarness.REGION))
                .endpointOverride(h.moto.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                .build();
        group = "/ecs/go-iiif-" + UUID.randomUUID().toString().substring(0, 8);
        taskDefinition = h.motoEcs
                .registerTaskDefinition(r -> r.family("logged-" + h.cluster)
                        .networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE)
                        .cpu("1024")
                        .memory("2048")
                        .containerDefinitions(ContainerDefinition.builder()
                                .name(OperatorHarness.CONTAINER)
                                .image("ghcr.io/go-iiif/go-iiif:latest")
                                .memory(2048)
                                .essential(true)
                                .logConfiguration(LogConfiguration.builder()
                                        .logDriver(LogDriver.AWSLOGS)
                                        .options(Map.of(
                                                "awslogs-group",
                                                group,
                                                "awslogs-region",
                                                OperatorHarness.REGION,
                                                "awslogs-stream-prefix",
                                                "go-iiif"))
                                        .build())
                                .build()))
                .taskDefinition()
                .taskDefinitionArn();
    }

    @AfterEach
    void stop() {
        logs.close();
        h.close();
    }

    IiifJob job(String name, String... uris) {
        IiifJob job = Specs.with(h.taskJob(name, uris), "task.taskDefinition", taskDefinition);
        return Specs.with(job, "backoffLimit", 0);
    }

    /** The container writes these lines to its stream, then exits as the outcome says. */
    void containerSays(TaskOutcome outcome, String... lines) {
        containerSays(outcome, task -> {}, lines);
    }

    void containerSays(
            TaskOutcome outcome, java.util.function.Consumer<io.iiifaws.testing.TaskView> run, String... lines) {
        logs.createLogGroup(r -> r.logGroupName(group));
        h.aws.outcomes(task -> {
            String stream = "go-iiif/iiif/" + task.arn().substring(task.arn().lastIndexOf('/') + 1);
            try {
                logs.createLogStream(r -> r.logGroupName(group).logStreamName(stream));
            } catch (software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException again) {
                return outcome;
            }
            long now = System.currentTimeMillis();
            List<InputLogEvent> events = new java.util.ArrayList<>();
            for (int i = 0; i < lines.length; i++) {
                events.add(InputLogEvent.builder()
                        .timestamp(now + i)
                        .message(lines[i])
                        .build());
            }
            logs.putLogEvents(r -> r.logGroupName(group).logStreamName(stream).logEvents(events));
            run.accept(task);
            return outcome;
        });
    }

    List<Event> logEvents(String job) {
        return h.events(job).stream()
                .filter(e -> e.getReason().equals("ContainerLog"))
                .toList();
    }

    @Test
    void aRunThatExited1FailsWithTheLastLinesOfItsLogInTheMessageAndAnEvent() {
        String[] lines = new String[30];
        for (int i = 0; i < 28; i++) {
            lines[i] = "2026/12/01 10:00:" + String.format("%02d", i) + " INFO processing tile " + i;
        }
        lines[28] = "2026/12/01 10:00:28 ERROR Failed to open source: AccessDenied, key AKIAIOSFODNN7EXAMPLE";
        lines[29] = "2026/12/01 10:00:29 FATAL failed to process avocado.png";
        containerSays(TaskOutcome.exit(1), lines);
        h.create(job("broken", "avocado.png"));

        IiifJob done = h.awaitFinished("broken");

        assertThat(done.getStatus().phase()).isEqualTo(Phase.Failed);
        String message =
                done.getStatus().condition(Condition.FAILED).orElseThrow().message();
        assertThat(message)
                .startsWith("Batch 0 (URIs 0) failed 1 time, more than backoffLimit 0")
                .contains("its container's last lines: 2026/12/01 10:00:10 INFO processing tile 10 |")
                .contains("FATAL failed to process avocado.png")
                .doesNotContain("processing tile 9 |")
                .doesNotContain("AKIAIOSFODNN7EXAMPLE");
        TaskStatus task = done.getStatus().tasks().get(0);
        assertThat(task.logGroup()).isEqualTo(group);
        assertThat(task.logStream())
                .isEqualTo("go-iiif/iiif/"
                        + task.taskArn().substring(task.taskArn().lastIndexOf('/') + 1));
        assertThat(logEvents("broken")).singleElement().satisfies(e -> assertThat(e.getNote())
                .containsPattern("its last 1\\d lines \\(aws logs tail " + group + " --log-stream-names "
                        + task.logStream() + "\\):\n")
                .endsWith("FATAL failed to process avocado.png"));
    }

    @Test
    void imagesGoIiifFailedBringTheirRunsLogAlong() {
        String bucket = "reports-" + UUID.randomUUID().toString().substring(0, 8);
        try (GoIiifDouble goIiif = new GoIiifDouble(h.moto.endpoint())) {
            goIiif.createBucket(bucket);
            containerSays(
                    TaskOutcome.SUCCESS,
                    task -> goIiif.run(
                            task,
                            origin -> origin.equals("corrupt.jpg")
                                    ? GoIiifDouble.Result.FAILED
                                    : GoIiifDouble.Result.PROCESSED),
                    "2026/12/01 10:00:01 ERROR Failed to process corrupt.jpg: image: unknown format");
            IiifJob job = Specs.with(
                    job("some-bad", "avocado.png", "corrupt.jpg"), "process.reports", "s3://" + bucket + "/r/");
            h.create(Specs.with(job, "process.maxFailedImages", 1));

            IiifJob done = h.awaitFinished("some-bad");

            assertThat(done.getStatus().phase()).isEqualTo(Phase.Succeeded);
            assertThat(done.getStatus().images().failed()).isEqualTo(1);
            assertThat(done.getStatus().tasks().get(0).logGroup()).isEqualTo(group);
            assertThat(logEvents("some-bad")).singleElement().satisfies(e -> assertThat(e.getNote())
                    .endsWith("ERROR Failed to process corrupt.jpg: image: unknown format"));
        }
    }

    @Test
    void aMissingLogGroupOrNoRightToReadItIsANoteAndTheJobFailsForItsOwnReason() {
        h.aws.outcomes(task -> TaskOutcome.exit(2));
        h.create(job("no-group", "avocado.png"));

        IiifJob noGroup = h.awaitFinished("no-group");

        assertThat(noGroup.getStatus().condition(Condition.FAILED).orElseThrow().reason())
                .isEqualTo("BackoffLimitExceeded");
        assertThat(logEvents("no-group")).singleElement().satisfies(e -> assertThat(e.getNote())
                .contains("log group " + group + " or its stream go-iiif/iiif/", "does not exist"));

        logs.createLogGroup(r -> r.logGroupName(group));
        h.aws.failNext("GetLogEvents", Fault.accessDenied("logs:GetLogEvents"));
        h.create(job("no-right", "avocado.png"));

        IiifJob noRight = h.awaitFinished("no-right");

        assertThat(noRight.getStatus().condition(Condition.FAILED).orElseThrow().reason())
                .isEqualTo("BackoffLimitExceeded");
        assertThat(logEvents("no-right")).singleElement().satisfies(e -> assertThat(e.getNote())
                .contains("AccessDeniedException", "the operator needs logs:GetLogEvents on " + group));
    }

    @Test
    void aTaskDefinitionWithoutAwslogsIsANote() {
        h.aws.outcomes(task -> TaskOutcome.exit(1));
        h.create(Specs.with(h.taskJob("unlogged", "avocado.png"), "backoffLimit", 0));

        IiifJob done = h.awaitFinished("unlogged");

        assertThat(done.getStatus().phase()).isEqualTo(Phase.Failed);
        assertThat(logEvents("unlogged")).singleElement().satisfies(e -> assertThat(e.getNote())
                .contains("sends container iiif's output to no CloudWatch Logs group"));
    }
}
