package io.iiifaws.aws;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Operator-wide pacing of ECS calls, per group of operations that ECS throttles together, to a
 * share of ECS's token buckets (Amazon ECS API request throttling): RunTask 20 a second on Fargate
 * (burst 20), StopTask in RunTask's bucket of 100 and 40 a second, DescribeTasks and ListTasks 100
 * and 20 a second, DescribeTaskDefinition 50 and 20 a second. Each attempt of a call takes a token,
 * waiting for one if need be, so that the operator's own calls never exceed the account's rate;
 * a call that would wait longer than {@link #MAX_WAIT} fails as a client error that may pass.
 */
public final class EcsPacing implements ExecutionInterceptor {
    /** The longest a call waits for its token: beyond it, the caller tries again later. */
    static final Duration MAX_WAIT = Duration.ofSeconds(10);

    /** A bucket: so many calls a second, and a burst of so many. */
    public record Rate(double perSecond, int burst) {
        public Rate {
            if (!(perSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("a rate must be above 0 a second with a burst of at least 1");
            }
        }
    }

    /** The groups, by the name the operator's --ecs-rate flag gives them. */
    public enum Group {
        runTask("RunTask"),
        stopTask("StopTask"),
        describeTasks("DescribeTasks", "ListTasks"),
        describeTaskDefinition("DescribeTaskDefinition");

        private final java.util.List<String> operations;

        Group(String... operations) {
            this.operations = java.util.List.of(operations);
        }
    }

    /** ECS's published rates, less a fifth, for other clients of the account. */
    public static Map<Group, Rate> defaults() {
        Map<Group, Rate> rates = new LinkedHashMap<>();
        rates.put(Group.runTask, new Rate(16, 16));
        rates.put(Group.stopTask, new Rate(32, 80));
        rates.put(Group.describeTasks, new Rate(16, 80));
        rates.put(Group.describeTaskDefinition, new Rate(16, 40));
        return rates;
    }

    private final Map<String, Bucket> buckets = new LinkedHashMap<>();

    public EcsPacing(Map<Group, Rate> rates) {
        for (var rate : rates.entrySet()) {
            Bucket bucket = Bucket.builder()
                    .addLimit(Bandwidth.builder()
                            .capacity(rate.getValue().burst())
                            .refillGreedy(
                                    Math.max(1, Math.round(rate.getValue().perSecond() * 1000)),
                                    Duration.ofSeconds(1000))
                            .build())
                    .build();
            rate.getKey().operations.forEach(operation -> buckets.put(operation, bucket));
        }
    }

    /** A call that did not get its token in time: the operator's own pacing, not AWS's answer. */
    public static final class Paced extends SdkClientException {
        Paced(String message) {
            super(SdkClientException.builder().message(message));
        }
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (!"ECS".equalsIgnoreCase(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME))) {
            return;
        }
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        Optional.ofNullable(buckets.get(operation)).ifPresent(bucket -> {
            try {
                if (!bucket.asBlocking().tryConsume(1, MAX_WAIT)) {
                    throw new Paced(operation + " waits for the operator's ECS rate; it is asked again later");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Paced("interrupted while " + operation + " waited for the operator's ECS rate");
            }
        });
    }
}
