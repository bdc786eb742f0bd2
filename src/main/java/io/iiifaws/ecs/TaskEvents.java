package io.iiifaws.ecs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.iiifaws.aws.AwsErrors;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * ECS's task state change events, as EventBridge delivers them to an SQS queue: each message is
 * read with long polling, its task handed on, and the message deleted once handed on. Delivery is
 * at least once and in no order; the receiver keeps the word with the highest {@code version}.
 * A message that is not such an event is deleted and logged.
 */
public final class TaskEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TaskEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DETAIL_TYPE = "ECS Task State Change";
    /** SQS's longest long poll. */
    private static final int WAIT_SECONDS = 20;

    private static final Duration IDLE = Duration.ofSeconds(1);

    private final SqsClient sqs;
    private final String queueUrl;
    private final Consumer<TaskObservation> receiver;
    private final BooleanSupplier active;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param receiver takes each task change
     * @param active whether to read the queue now: only the replica that reconciles does
     */
    public TaskEvents(SqsClient sqs, String queueUrl, Consumer<TaskObservation> receiver, BooleanSupplier active) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.receiver = receiver;
        this.active = active;
        this.thread = new Thread(this::run, "ecs-task-events");
        thread.setDaemon(true);
    }

    public TaskEvents start() {
        thread.start();
        return this;
    }

    private void run() {
        int failures = 0;
        while (!closed) {
            try {
                if (!active.getAsBoolean()) {
                    Thread.sleep(IDLE.toMillis());
                    continue;
                }
                List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queueUrl)
                                .waitTimeSeconds(WAIT_SECONDS)
                                .maxNumberOfMessages(10))
                        .messages();
                handOn(messages);
                failures = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SdkException e) {
                if (closed) {
                    return;
                }
                failures++;
                if (failures == 1) {
                    log.warn(
                            "event=TaskEventsUnread queue={} error=\"{}\" note=\"task changes are polled meanwhile\"",
                            queueUrl,
                            AwsErrors.describe(e));
                }
                try {
                    Thread.sleep(Math.min(30_000, 1000L << Math.min(5, failures - 1)));
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Hands on every task change of the messages, then deletes them. */
    void handOn(List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        List<DeleteMessageBatchRequestEntry> done = new ArrayList<>();
        for (Message message : messages) {
            Optional<TaskObservation> task = parse(message.body());
            if (task.isPresent()) {
                receiver.accept(task.get());
            } else {
                log.warn(
                        "event=TaskEventSkipped queue={} messageId={} reason=\"not an ECS Task State Change event\"",
                        queueUrl,
                        message.messageId());
            }
            done.add(DeleteMessageBatchRequestEntry.builder()
                    .id(Integer.toString(done.size()))
                    .receiptHandle(message.receiptHandle())
                    .build());
        }
        var deleted = sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(done));
        if (deleted.hasFailed() && !deleted.failed().isEmpty()) {
            log.warn(
                    "event=TaskEventsUndeleted queue={} count={} note=\"they come again, and are taken again\"",
                    queueUrl,
                    deleted.failed().size());
        }
    }

    /** The task an EventBridge "ECS Task State Change" event speaks of; empty for anything else. */
    public static Optional<TaskObservation> parse(String body) {
        JsonNode event;
        try {
            event = JSON.readTree(body);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (event == null
                || !DETAIL_TYPE.equals(event.path("detail-type").asText())
                || !"aws.ecs".equals(event.path("source").asText())) {
            return Optional.empty();
        }
        JsonNode task = event.path("detail");
        String arn = task.path("taskArn").asText(null);
        if (arn == null || !task.path("version").canConvertToLong()) {
            return Optional.empty();
        }
        List<ContainerState> containers = new ArrayList<>();
        for (JsonNode c : task.path("containers")) {
            containers.add(new ContainerState(
                    c.path("name").asText(null),
                    text(c, "lastStatus"),
                    c.path("exitCode").isIntegralNumber() ? c.path("exitCode").asInt() : null,
                    text(c, "reason")));
        }
        Map<String, String> environment = new HashMap<>();
        for (JsonNode o : task.path("overrides").path("containerOverrides")) {
            for (JsonNode kv : o.path("environment")) {
                environment.put(kv.path("name").asText(), kv.path("value").asText());
            }
        }
        return Optional.of(new TaskObservation(
                arn,
                false,
                text(task, "lastStatus"),
                text(task, "desiredStatus"),
                text(task, "stopCode"),
                text(task, "stoppedReason"),
                instant(task, "startedAt"),
                instant(task, "stoppedAt"),
                List.copyOf(containers),
                Map.of(),
                Map.copyOf(environment),
                task.path("version").asLong()));
    }

    private static String text(JsonNode node, String field) {
        String value = node.path(field).asText(null);
        return value == null || value.isBlank() ? null : value;
    }

    private static Instant instant(JsonNode node, String field) {
        String value = text(node, field);
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
