package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobPolicy;
import io.iiifaws.api.IiifJobPolicySpec;
import io.iiifaws.api.NamespaceSelector;
import io.iiifaws.api.Phase;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.Specs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** IiifJobPolicies as the operator applies them, before any AWS call of a job. */
class JobPolicyTest {
    OperatorHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness();
        h.client()
                .namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(h.namespace)
                        .withLabels(Map.of("iiif-aws.io/team", "a"))
                        .endMetadata()
                        .build())
                .create();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    static IiifJobPolicy policy(String name, List<String> clusters, Integer maxParallelism) {
        IiifJobPolicy policy = new IiifJobPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(name).build());
        policy.setSpec(new IiifJobPolicySpec(
                new NamespaceSelector(Map.of("iiif-aws.io/team", "a"), null),
                null,
                clusters,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                maxParallelism,
                null,
                null));
        return policy;
    }

    Condition failure(IiifJob job) {
        return job.getStatus().condition(Condition.FAILED).orElseThrow();
    }

    @Test
    void aJobNoPolicyAllowsFailsNamingTheFieldAndThePolicyBeforeAnyAwsCall() {
        h.client().resource(policy("team-a", List.of("iiif-team-a"), null)).create();
        h.start();
        int before = h.aws.totalCalls();

        h.create(h.taskJob("elsewhere", "a.jpg"));
        IiifJob failed = h.awaitFinished("elsewhere");

        assertThat(failed.getStatus().phase()).isEqualTo(Phase.Failed);
        assertThat(failure(failed).reason()).isEqualTo("PolicyDenied");
        assertThat(failure(failed).message())
                .startsWith("IiifJobPolicy team-a: spec.task.cluster \"" + h.cluster
                        + "\" is not among its clusters [iiif-team-a]");
        assertThat(h.aws.totalCalls()).isEqualTo(before);
    }

    @Test
    void severalPoliciesAddUpAndTheOperatorWritesWhereTheyMeet() {
        h.client().resource(policy("small", null, 1)).create();
        h.client().resource(policy("wide", List.of(h.cluster), 4)).create();
        h.start();

        h.create(Specs.with(h.taskJob("allowed", "a.jpg", "b.jpg"), "parallelism", 4));
        assertThat(h.awaitFinished("allowed").getStatus().phase()).isEqualTo(Phase.Succeeded);
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String name : List.of("small", "wide")) {
                IiifJobPolicy written =
                        h.client().resources(IiifJobPolicy.class).withName(name).get();
                assertThat(written.getStatus()).isNotNull();
                assertThat(written.getStatus().sharedNamespaces()).containsExactly(h.namespace);
            }
        });
    }

    @Test
    void withNoPolicyACommandIsRefusedUnlessTheOperatorAllowsIt() {
        h.start();
        h.create(Specs.with(h.taskJob("shell", "a.jpg"), "process.command", List.of("/bin/sh", "-c", "id")));
        IiifJob refused = h.awaitFinished("shell");
        assertThat(failure(refused).reason()).isEqualTo("PolicyDenied");
        assertThat(failure(refused).message()).contains("--allow-process-command");
        assertThat(h.aws.calls("RunTask")).isZero();

        h.stop();
        h.start(OperatorHarness.fastSettings().withCommandsWithoutPolicy(true));
        h.create(Specs.with(h.taskJob("allowed", "a.jpg"), "process.command", List.of("/usr/local/bin/iiif-process")));
        assertThat(h.awaitFinished("allowed").getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(h.aws.requests("RunTask").get(0).toString()).contains("/usr/local/bin/iiif-process");
    }
}
