package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.testing.OperatorHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** ECS's task state changes through EventBridge and an SQS queue (moto's), instead of polling. */
class TaskEventsQueueTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aStopThatOnlyTheQueueTellsReachesStatusAndItsMessagesAreDeleted() throws Exception {
        try (OperatorHarness h = new OperatorHarness();
                SqsClient sqs = SqsClient.builder()
                        .region(Region.US_EAST_1)
                        .endpointOverride(h.moto.endpoint())
                        .httpClientBuilder(UrlConnectionHttpClient.builder())
                        .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                        .build()) {
            String queue = sqs.createQueue(r -> r.queueName("task-events-" + UUID.randomUUID()))
                    .queueUrl();
            h.aws.holdRunning(task -> true);
            // Describes once an hour: what ends the task can only come from the queue.
            h.start(OperatorHarness.fastSettings()
                    .withPollInterval(Duration.ofHours(1))
                    .withTaskEvents(queue));
            h.create(h.taskJob("evented", "a.jpg"));
            IiifJob running = h.await(
                    "evented",
                    j -> j.getStatus() != null && !j.getStatus().tasks().isEmpty());
            String arn = running.getStatus().tasks().get(0).taskArn();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> h.aws.requests("DescribeTasks").size() == 1);

            sqs.sendMessage(r -> r.queueUrl(queue).messageBody("a message of something else"));
            sqs.sendMessage(r -> r.queueUrl(queue).messageBody(stopped(arn, 0, 7)));
            // Delivered again, late and out of order: an older word changes nothing.
            sqs.sendMessage(r -> r.queueUrl(queue).messageBody(stopped(arn, 1, 6)));
            Instant sent = Instant.now();

            IiifJob done = h.awaitFinished("evented", Duration.ofSeconds(30));
            Duration took = Duration.between(sent, Instant.now());

            assertThat(done.getStatus().phase()).isEqualTo(Phase.Succeeded);
            assertThat(done.getStatus().tasks().get(0).exitCode()).isZero();
            assertThat(took).isLessThan(Duration.ofSeconds(25));
            assertThat(h.aws.requests("DescribeTasks")).hasSize(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> waiting(sqs, queue) == 0);
        }
    }

    private static int waiting(SqsClient sqs, String queue) {
        var attributes = sqs.getQueueAttributes(r -> r.queueUrl(queue)
                        .attributeNames(
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                .attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    /** What EventBridge delivers for a task whose go-iiif container exited. */
    static String stopped(String arn, int exitCode, long version) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "0");
        event.put("detail-type", "ECS Task State Change");
        event.put("source", "aws.ecs");
        event.put("region", OperatorHarness.REGION);
        event.putArray("resources").add(arn);
        ObjectNode detail = event.putObject("detail");
        detail.put("taskArn", arn);
        detail.put("lastStatus", "STOPPED");
        detail.put("desiredStatus", "STOPPED");
        detail.put("stopCode", "EssentialContainerExited");
        detail.put("stoppedReason", "Essential container in task exited");
        detail.put("startedAt", "2026-12-01T10:00:00.000Z");
        detail.put("stoppedAt", "2026-12-01T10:01:00.000Z");
        detail.put("version", version);
        ObjectNode container = detail.putArray("containers").addObject();
        container.put("name", OperatorHarness.CONTAINER);
        container.put("lastStatus", "STOPPED");
        container.put("exitCode", exitCode);
        return event.toString();
    }
}
