package io.iiifaws.operator;

import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobStatus;
import io.iiifaws.api.TaskStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * The operator's own metrics, next to JOSDK's reconciliation metrics in the same registry:
 *
 * <ul>
 *   <li>{@code iiif_tasks_launched_total}
 *   <li>{@code iiif_launch_refusals_total{reason}}: RunTask placed no task (RESOURCE:MEMORY, ...)
 *   <li>{@code iiif_task_outcomes_total{result, stop_code, exit_status}}: how tasks ended
 *   <li>{@code iiif_task_duration_seconds{result}}: from launch to the recorded stop
 *   <li>{@code iiif_jobs_finished_total{phase, reason}}
 *   <li>{@code iiif_aws_calls_total{service, operation, outcome}}: outcome ok, throttled, error
 *   <li>{@code iiif_aws_throttles_total{service, operation}}: attempts AWS throttled, those the call's
 *       own retries absorbed included
 * </ul>
 */
public final class OperatorMetrics implements JobMetrics {
    private final MeterRegistry registry;
    private final Counter launched;

    public OperatorMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.launched = Counter.builder("iiif.tasks.launched")
                .description("ECS tasks RunTask started")
                .register(registry);
    }

    @Override
    public void launched(IiifJob job) {
        launched.increment();
    }

    @Override
    public void launchRefused(IiifJob job, String reason) {
        registry.counter("iiif.launch.refusals", "reason", refusalReason(reason))
                .increment();
    }

    @Override
    public void taskFinished(IiifJob job, TaskStatus task) {
        String result = String.valueOf(task.result());
        String exitStatus = task.exitCode() == null ? "none" : task.exitCode() == 0 ? "0" : "nonzero";
        Counter.builder("iiif.task.outcomes")
                .description("How ECS tasks ended")
                .tag("result", result)
                .tag("stop_code", task.stopCode() == null ? "none" : task.stopCode())
                .tag("exit_status", exitStatus)
                .register(registry)
                .increment();
        Instant launchedAt = Times.parse(task.launchedAt());
        Instant stoppedAt = task.stoppedAt() != null ? Times.parse(task.stoppedAt()) : Instant.now();
        if (launchedAt != null && !stoppedAt.isBefore(launchedAt)) {
            Timer.builder("iiif.task.duration")
                    .description("Time from launch to the stop of an ECS task")
                    .tag("result", result)
                    .register(registry)
                    .record(Duration.between(launchedAt, stoppedAt));
        }
    }

    @Override
    public void jobFinished(IiifJob job, IiifJobStatus status) {
        String reason = status.conditions().stream()
                .filter(Condition::isTrue)
                .filter(c -> c.type().equals(Condition.COMPLETE) || c.type().equals(Condition.FAILED))
                .map(Condition::reason)
                .findFirst()
                .orElse("none");
        registry.counter("iiif.jobs.finished", "phase", String.valueOf(status.phase()), "reason", reason)
                .increment();
    }

    /** Counts every AWS call by operation and outcome; installed in the operator's AWS clients. */
    public ExecutionInterceptor awsCalls() {
        return new ExecutionInterceptor() {
            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                count(attributes, "ok");
            }

            @Override
            public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
                int status = context.httpResponse().statusCode();
                String type = context.httpResponse()
                        .firstMatchingHeader("x-amzn-ErrorType")
                        .orElse("");
                if (status == 429 || status == 400 && type.startsWith("Throttling")) {
                    registry.counter(
                                    "iiif.aws.throttles",
                                    "service",
                                    String.valueOf(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME)),
                                    "operation",
                                    String.valueOf(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME)))
                            .increment();
                }
            }

            @Override
            public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
                Throwable e = context.exception();
                boolean throttled = e instanceof AwsServiceException service && service.isThrottlingException();
                count(attributes, throttled ? "throttled" : "error");
            }

            private void count(ExecutionAttributes attributes, String outcome) {
                registry.counter(
                                "iiif.aws.calls",
                                "service",
                                String.valueOf(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME)),
                                "operation",
                                String.valueOf(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME)),
                                "outcome",
                                outcome)
                        .increment();
            }
        };
    }

    /** A bounded set of label values: the RESOURCE:* code, capacity, or other. */
    static String refusalReason(String reason) {
        String upper = reason.toUpperCase(Locale.ROOT);
        int resource = upper.indexOf("RESOURCE:");
        if (resource >= 0) {
            String rest = reason.substring(resource);
            int end = 0;
            while (end < rest.length()
                    && (Character.isLetterOrDigit(rest.charAt(end))
                            || rest.charAt(end) == ':'
                            || rest.charAt(end) == '_')) {
                end++;
            }
            return rest.substring(0, end);
        }
        if (upper.contains("CAPACITY")) {
            return "capacity";
        }
        for (String known : new String[] {"AGENT", "ATTRIBUTE", "LOCATION"}) {
            if (upper.contains(known)) {
                return known;
            }
        }
        return "other";
    }
}
