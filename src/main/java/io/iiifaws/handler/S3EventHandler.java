package io.iiifaws.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.cli.ProcessEcsOptions;
import io.iiifaws.ecs.ProcessTasks;
import io.iiifaws.goiiif.ReportLocation;
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
   * Starts the task for the event's image keys.
   *
   * @param requestId Lambda's id of the invocation, which stays the same when Lambda retries it:
   *     the RunTask client tokens derive from it, so a retry starts no second task; may be null
   * @throws IllegalArgumentException when the event is not an S3 event (direct, SNS or SQS)
   * @throws IllegalStateException when a setting is missing or malformed
   */
  public synchronized ProcessResponse handle(String event, String requestId) {
    S3Events.Notification notification = S3Events.read(event);
    notification.unreadable().forEach(why -> log.warn("event=Unreadable reason=\"{}\"", why));
    List<String> keys = notification.created();
    ProcessEcsOptions settings = settings();
    List<String> uris = new ArrayList<>();
    List<String> skipped = new ArrayList<>(notification.ignored());
    for (String key : keys) {
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
    List<String> unreadable = notification.unreadable();
    if (uris.isEmpty()) {
      String message = keys.isEmpty() ? "the event names no created object; no task started"
          : "no image among the event's " + keys.size() + (keys.size() == 1 ? " key" : " keys") + "; no task started";
      return new ProcessResponse(null, List.of(), List.of(), List.of(), skipped, unreadable, message);
    }
    Optional<ReportLocation> reports = settings.reportLocation(aws().region(null).id(),
        "lambda/" + (requestId == null ? UUID.randomUUID().toString() : requestId));
    List<ProcessTasks.Launched> launched = settings.processTasks(aws()).launch(uris, requestId, reports,
        task -> log.info("event=Launched task={} uris={}", task.taskArn(), task.uris().size()));
    List<String> arns = launched.stream().map(ProcessTasks.Launched::taskArn).toList();
    List<String> where = launched.stream().flatMap(t -> t.reports().stream()).map(ReportLocation::uri).toList();
    return new ProcessResponse(arns.get(0), arns, uris, where, skipped, unreadable, null);
  }

  private ProcessEcsOptions settings() {
    if (options == null) {
      try {
        ProcessEcsOptions parsed = ProcessEcsOptions.fromEnvironment(env);
        parsed.taskTemplate();
        options = parsed;
      } catch (RuntimeException e) {
        throw new IllegalStateException("the function's IIIF_PROCESS_* settings are incomplete: " + e.getMessage(), e);
      }
    }
    return options;
  }

  private AwsClients aws() {
    if (aws == null) {
      try {
        aws = settings().awsClients("-ecs-dsn", env);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(ProcessEcsOptions.environmentName("-ecs-dsn") + ": " + e.getMessage(), e);
      }
    }
    return aws;
  }
}
