package io.iiifaws.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.iiifaws.bench.FastEcs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.TaskField;

class TaskEventsTest {
    @Test
    void anEventSaysWhatDescribeTasksSaysOfTheTask() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (FastEcs fast = new FastEcs().runDuration(Duration.ofMillis(50)).exitCodes(task -> 3);
                EcsClient ecs = fast.client()) {
            fast.onTaskStateChange(events::add);
            String arn = ecs.runTask(r -> r.cluster("c")
                            .taskDefinition("go-iiif:1")
                            .launchType("FARGATE")
                            .networkConfiguration(n -> n.awsvpcConfiguration(
                                    a -> a.subnets("subnet-1").securityGroups("sg-1")))
                            .overrides(o -> o.containerOverrides(c -> c.name("iiif")
                                    .environment(KeyValuePair.builder()
                                            .name("IIIF_AWS_BATCH")
                                            .value("4")
                                            .build()))))
                    .tasks()
                    .get(0)
                    .taskArn();
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 2);

            TaskObservation described = TaskObservation.of(
                    ecs.describeTasks(r -> r.cluster("c").tasks(arn).include(TaskField.TAGS))
                            .tasks()
                            .get(0));
            TaskObservation stopped = TaskEvents.parse(events.get(1)).orElseThrow();

            assertThat(stopped)
                    .usingRecursiveComparison()
                    .ignoringFields("tags")
                    .isEqualTo(described);
            assertThat(stopped.container("iiif").orElseThrow().exitCode()).isEqualTo(3);
            assertThat(stopped.environment()).containsEntry("IIIF_AWS_BATCH", "4");
            assertThat(TaskEvents.parse(events.get(0)).orElseThrow().version()).isLessThan(stopped.version());
        }
    }

    @Test
    void anythingElseIsNoTaskChange() {
        assertThat(TaskEvents.parse("not json")).isEmpty();
        assertThat(TaskEvents.parse("[]")).isEmpty();
        assertThat(TaskEvents.parse("{\"detail-type\":\"ECS Container Instance State Change\",\"source\":\"aws.ecs\","
                        + "\"detail\":{\"taskArn\":\"arn\",\"version\":1}}"))
                .isEmpty();
        assertThat(TaskEvents.parse("{\"detail-type\":\"ECS Task State Change\",\"source\":\"aws.ecs\","
                        + "\"detail\":{\"taskArn\":\"arn\"}}"))
                .isEmpty();
        assertThat(TaskEvents.parse("{\"detail-type\":\"ECS Task State Change\",\"source\":\"someone.else\","
                        + "\"detail\":{\"taskArn\":\"arn\",\"version\":1}}"))
                .isEmpty();
    }
}
