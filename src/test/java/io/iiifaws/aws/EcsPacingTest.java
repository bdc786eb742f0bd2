package io.iiifaws.aws;

import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.testing.OperatorHarness;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

class EcsPacingTest {
    @Test
    void callsOfAGroupAreHeldToItsRate() throws Exception {
        try (OperatorHarness h = new OperatorHarness();
                EcsClient ecs = EcsClient.builder()
                        .region(Region.of(OperatorHarness.REGION))
                        .endpointOverride(h.aws.endpoint())
                        .credentialsProvider(StaticCredentialsProvider.create(OperatorHarness.CREDENTIALS))
                        .overrideConfiguration(o -> o.addExecutionInterceptor(
                                new EcsPacing(Map.of(EcsPacing.Group.describeTasks, new EcsPacing.Rate(5, 2)))))
                        .build()) {
            long start = System.nanoTime();
            for (int i = 0; i < 7; i++) {
                ecs.listTasks(r -> r.cluster(h.cluster));
            }
            Duration paced = Duration.ofNanos(System.nanoTime() - start);
            // A burst of 2, then 5 a second: the 5 calls past the burst take about a second.
            assertThat(paced).isGreaterThan(Duration.ofMillis(800));
            assertThat(h.aws.calls("ListTasks")).isEqualTo(7);
        }
    }
}
