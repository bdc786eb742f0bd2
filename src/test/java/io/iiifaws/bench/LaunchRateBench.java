package io.iiifaws.bench;

import io.iiifaws.api.IiifJob;
import io.iiifaws.operator.OperatorSettings;
import io.iiifaws.testing.OperatorHarness;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How fast the operator launches 1,000 one-task jobs against ECS's Fargate RunTask bucket (burst
 * 20, 20 a second), enforced by the fault layer, and how many of its calls were throttled. Prints
 * figures; run with {@code mvn -B test -Pbench -Dtest=LaunchRateBench}.
 */
@Tag("bench")
class LaunchRateBench {
    static final int JOBS = Integer.getInteger("bench.jobs", 1000);

    @Test
    void launchRateAgainstFargatesRunTaskBucket() throws Exception {
        try (OperatorHarness h = new OperatorHarness()) {
            var fast = OperatorHarness.fastSettings();
            h.start(new OperatorSettings(
                    Duration.ofSeconds(5),
                    Duration.ofMinutes(2),
                    fast.backoffs(),
                    fast.reports(),
                    fast.taskEvents(),
                    16,
                    false));
            h.aws.enforceBucket("RunTask", 20, 20);
            h.aws.holdRunning(task -> true);
            Instant start = Instant.now();
            for (int i = 0; i < JOBS; i++) {
                h.create(h.taskJob("job-" + i, "a.jpg"));
            }
            Instant created = Instant.now();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofMinutes(20))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> h.aws.launched().size() >= JOBS);
            Instant launched = Instant.now();
            List<String> withRetries = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                IiifJob job = h.job("job-" + i);
                if (job.getStatus() != null
                        && job.getStatus().batches().stream().anyMatch(b -> b.retries() > 0)) {
                    withRetries.add(job.getMetadata().getName());
                }
            }
            double seconds = Duration.between(start, launched).toMillis() / 1000.0;
            System.out.printf(
                    "%nLaunchRateBench: %d jobs created in %.1f s, all %d tasks launched after %.1f s: %.1f launches/s%n",
                    JOBS,
                    Duration.between(start, created).toMillis() / 1000.0,
                    h.aws.launched().size(),
                    seconds,
                    h.aws.launched().size() / seconds);
            System.out.printf(
                    "LaunchRateBench: RunTask calls %d, throttled by the bucket %d; jobs whose status shows a"
                            + " retried launch: %d; LaunchRetry events: %d%n",
                    h.aws.calls("RunTask"),
                    h.aws.bucketThrottles("RunTask"),
                    withRetries.size(),
                    h.client().events().v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems().stream()
                            .filter(e -> "LaunchRetry".equals(e.getReason()))
                            .count());
        }
    }
}
