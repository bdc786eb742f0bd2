package io.iiifaws.ecs;

import io.iiifaws.aws.AwsErrors;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsAsyncClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;

/**
 * Where a container's output goes with the awslogs driver, and its last lines: Airflow's ECS
 * operator puts them in its error, and so does the operator, for a run that failed.
 *
 * @param prefix awslogs-stream-prefix; the stream of a task is PREFIX/CONTAINER/TASK-ID
 */
public record ContainerLogs(String group, String region, String prefix) {
    /** Lines a failure quotes, and the most characters of one line and of them all. */
    public static final int LINES = 20;

    static final int LINE_CHARS = 300;
    static final int ALL_CHARS = 2000;

    /** The container's awslogs settings, if its output goes to CloudWatch Logs. */
    static Optional<ContainerLogs> of(ContainerDefinition container) {
        var config = container.logConfiguration();
        if (config == null
                || config.logDriverAsString() == null
                || !config.logDriverAsString().equals("awslogs")) {
            return Optional.empty();
        }
        String group = config.options().get("awslogs-group");
        if (group == null || group.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new ContainerLogs(
                group, config.options().get("awslogs-region"), config.options().get("awslogs-stream-prefix")));
    }

    /**
     * The task's stream, PREFIX/CONTAINER/TASK-ID; without awslogs-stream-prefix ECS names it after
     * the Docker container's id, which is nowhere to be found.
     */
    public Optional<String> stream(String container, String taskArn) {
        if (prefix == null || prefix.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(prefix + "/" + container + "/" + taskArn.substring(taskArn.lastIndexOf('/') + 1));
    }

    /**
     * The stream's last lines, scrubbed of secrets and bounded in size.
     *
     * @throws software.amazon.awssdk.core.exception.SdkException when CloudWatch Logs cannot be read
     */
    public List<String> last(CloudWatchLogsAsyncClient logs, String stream) {
        List<OutputLogEvent> events;
        try {
            events = logs.getLogEvents(r -> r.logGroupName(group)
                            .logStreamName(stream)
                            .limit(LINES)
                            .startFromHead(false))
                    .get(30, TimeUnit.SECONDS)
                    .events();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("GetLogEvents took longer than 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
        List<String> lines = new ArrayList<>();
        int total = 0;
        for (int i = events.size() - 1; i >= 0 && lines.size() < LINES; i--) {
            String line = AwsErrors.scrub(events.get(i).message()).strip().replaceAll("\\p{Cntrl}", " ");
            if (line.length() > LINE_CHARS) {
                line = line.substring(0, LINE_CHARS) + "…";
            }
            if (total + line.length() > ALL_CHARS) {
                break;
            }
            total += line.length();
            lines.add(0, line);
        }
        return lines;
    }
}
