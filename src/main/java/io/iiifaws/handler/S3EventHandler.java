package io.iiifaws.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.ecs.ProcessTasks;
import io.iiifaws.goiiif.ReportLocation;
import io.iiifaws.goiiifaws.ProcessEcsOptions;
import io.iiifaws.lambda.S3Events;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The AWS Lambda function for S3 uploads (handler {@code
 * io.iiifaws.handler.S3EventHandler::handleRequest}, Java 21 runtime): for the image keys of an S3
 * event, direct or wrapped in SNS or SQS messages, it starts the go-iiif ECS task. It is configured
 * as go-iiif-aws's function was, by IIIF_PROCESS_* variables (IIIF_PROCESS_ECS_DSN,
 * IIIF_PROCESS_CLUSTER, IIIF_PROCESS_TASK, IIIF_PROCESS_CONTAINER, IIIF_PROCESS_SUBNET, ...).
 */
public final class S3EventHandler implements RequestStreamHandler {
    private static final Logger log = LoggerFactory.getLogger(S3EventHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> env;
    private ProcessEcsOptions options;
    private AwsClients aws;

    public S3EventHandler() {
        this(System.getenv());
    }

    public S3EventHandler(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        String event = new String(input.readAllBytes(), StandardCharsets.UTF_8);
        output.write(JSON.writeValueAsBytes(handle(event, context == null ? null : context.getAwsRequestId())));
    }

    /** The answer to one event, as JSON. */
    public String handleJson(String event, String requestId) throws IOException {
        return JSON.writeValueAsString(handle(event, requestId));
    }

    /**
     * Starts the task for the event's image keys. The messages of an SQS batch are taken one by
     * one: each starts its own tasks, with client tokens from its message id (which stays the same
     * when SQS delivers it again), and one that cannot be read or whose tasks cannot be started is
     * named in {@code batchItemFailures} for SQS to deliver again, the others being done.
     *
     * @param requestId Lambda's id of the invocation, which stays the same when Lambda retries it:
     *     the RunTask client tokens of an event that is not an SQS batch derive from it; may be null
     * @throws IllegalArgumentException when the event is not an S3 event (direct, SNS or SQS)
     * @throws IllegalStateException when a setting is missing or malformed
     */
    public synchronized ProcessResponse handle(String event, String requestId) {
        List<S3Events.SqsMessage> messages = S3Events.sqsMessages(event);
        if (messages.isEmpty()) {
            try {
                return answer(List.of(process(S3Events.read(event), requestId)), List.of());
            } catch (SdkException e) {
                // Lambda logs and answers an exception's message as it is: AWS's words go out scrubbed.
                throw new IllegalStateException(AwsErrors.describe(e));
            }
        }
        List<Outcome> outcomes = new ArrayList<>();
        List<ProcessResponse.ItemFailure> failures = new ArrayList<>();
        for (S3Events.SqsMessage message : messages) {
            try {
                Outcome outcome = process(S3Events.read(message.body()), message.messageId());
                if (!outcome.unreadable().isEmpty()) {
                    failures.add(new ProcessResponse.ItemFailure(message.messageId()));
                }
                outcomes.add(outcome);
            } catch (IllegalArgumentException | SdkException | ProcessTasks.LaunchRefusedException e) {
                String why = message.messageId() + ": " + AwsErrors.message(e);
                log.warn("event=MessageFailed message={} error=\"{}\"", message.messageId(), AwsErrors.message(e));
                failures.add(new ProcessResponse.ItemFailure(message.messageId()));
                outcomes.add(new Outcome(0, List.of(), List.of(), List.of(), List.of(why)));
            }
        }
        return answer(outcomes, failures);
    }

    /** What came of one S3 notification: the tasks it started and the keys it skipped. */
    private record Outcome(
            int created,
            List<ProcessTasks.Launched> launched,
            List<String> uris,
            List<String> skipped,
            List<String> unreadable) {}

    private Outcome process(S3Events.Notification notification, String tokenPrefix) {
        notification.unreadable().forEach(why -> log.warn("event=Unreadable reason=\"{}\"", why));
        ProcessEcsOptions settings = settings();
        List<String> uris = new ArrayList<>();
        List<String> skipped = new ArrayList<>(notification.ignored());
        for (String key : notification.created()) {
            try {
                String passed = settings.checkedUri(key);
                if (uris.contains(passed)) {
                    throw new IllegalArgumentException("'" + key + "' is '" + passed + "' again");
                }
                uris.add(passed);
            } catch (IllegalArgumentException e) {
                log.info("event=Skipped key=\"{}\" reason=\"{}\"", key, e.getMessage());
                skipped.add(key);
            }
        }
        if (uris.isEmpty()) {
            return new Outcome(notification.created().size(), List.of(), List.of(), skipped, notification.unreadable());
        }
        Optional<ReportLocation> reports = settings.reportLocation(
                aws().region(null).id(),
                "lambda/" + (tokenPrefix == null ? UUID.randomUUID().toString() : tokenPrefix));
        List<ProcessTasks.Launched> launched = settings.processTasks(aws())
                .launch(
                        uris,
                        tokenPrefix,
                        reports,
                        task -> log.info(
                                "event=Launched task={} uris={}",
                                task.taskArn(),
                                task.uris().size()));
        return new Outcome(notification.created().size(), launched, uris, skipped, notification.unreadable());
    }

    private static ProcessResponse answer(List<Outcome> outcomes, List<ProcessResponse.ItemFailure> failures) {
        List<String> arns = outcomes.stream()
                .flatMap(o -> o.launched().stream())
                .map(ProcessTasks.Launched::taskArn)
                .toList();
        List<String> uris = outcomes.stream().flatMap(o -> o.uris().stream()).toList();
        List<String> where = outcomes.stream()
                .flatMap(o -> o.launched().stream())
                .flatMap(t -> t.reports().stream())
                .map(ReportLocation::uri)
                .toList();
        List<String> skipped =
                outcomes.stream().flatMap(o -> o.skipped().stream()).toList();
        List<String> unreadable =
                outcomes.stream().flatMap(o -> o.unreadable().stream()).toList();
        int created = outcomes.stream().mapToInt(Outcome::created).sum();
        String message = null;
        if (arns.isEmpty()) {
            message = created == 0
                    ? "the event names no created object; no task started"
                    : "no image among the event's " + created + (created == 1 ? " key" : " keys") + "; no task started";
        }
        return new ProcessResponse(
                arns.isEmpty() ? null : arns.get(0), arns, uris, where, skipped, unreadable, message, failures);
    }

    private ProcessEcsOptions settings() {
        if (options == null) {
            try {
                ProcessEcsOptions parsed = ProcessEcsOptions.fromEnvironment(env);
                parsed.taskTemplate();
                options = parsed;
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "the function's IIIF_PROCESS_* settings are incomplete: " + e.getMessage(), e);
            }
        }
        return options;
    }

    private AwsClients aws() {
        if (aws == null) {
            try {
                aws = settings().awsClients("-ecs-dsn", env);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        ProcessEcsOptions.environmentName("-ecs-dsn") + ": " + e.getMessage(), e);
            }
        }
        return aws;
    }
}
