package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobPolicy;
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

/**
 * IiifJobPolicies as the operator applies them, before any AWS call of a job, on the real API
 * server: policies are cluster-wide, so each test's select a team label of its own.
 */
class JobPolicyTest {
    OperatorHarness h;
    final String team = "t" + java.util.UUID.randomUUID().toString().substring(0, 8);
    final List<String> created = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        h = OperatorHarness.onRealApiServer();
        h.client().namespaces().withName(h.namespace).edit(n -> {
            n.getMetadata().setLabels(Map.of("iiif-aws.io/team", team));
            return n;
        });
    }

    @AfterEach
    void stop() {
        created.forEach(
                name -> h.client().resources(IiifJobPolicy.class).withName(name).delete());
        h.real().deleteJobs(h.namespace);
        h.close();
    }

    /** Creates a policy of this test's team; its name is the given one with the team's. */
    String create(IiifJobPolicy policy) {
        String name = policy.name() + "-" + team;
        policy.getMetadata().setName(name);
        h.client().resource(policy).create();
        created.add(name);
        return name;
    }

    IiifJobPolicy policy(String name, List<String> clusters, Integer maxParallelism) {
        return policy(name, clusters, maxParallelism, null);
    }

    IiifJobPolicy policy(String name, List<String> clusters, Integer maxParallelism, Integer maxUris) {
        Map<String, Object> spec = new java.util.HashMap<>();
        spec.put("clusters", clusters);
        spec.put("maxParallelism", maxParallelism);
        spec.put("maxUris", maxUris);
        spec.values().removeIf(java.util.Objects::isNull);
        return io.iiifaws.testing.PolicyCases.policy(name, team, spec);
    }

    List<String> sharedNamespaces(String policy) {
        IiifJobPolicy written =
                h.client().resources(IiifJobPolicy.class).withName(policy).get();
        return written.getStatus() == null ? List.of() : written.getStatus().sharedNamespaces();
    }

    Condition failure(IiifJob job) {
        return job.getStatus().condition(Condition.FAILED).orElseThrow();
    }

    @Test
    void aJobNoPolicyAllowsFailsNamingTheFieldAndThePolicyBeforeAnyAwsCall() {
        String name = create(policy("team-a", List.of("iiif-team-a"), null));
        h.start();
        int before = h.aws.totalCalls();

        h.create(h.taskJob("elsewhere", "a.jpg"));
        IiifJob failed = h.awaitFinished("elsewhere");

        assertThat(failed.getStatus().phase()).isEqualTo(Phase.Failed);
        assertThat(failure(failed).reason()).isEqualTo("PolicyDenied");
        assertThat(failure(failed).message())
                .startsWith("IiifJobPolicy " + name + ": spec.task.cluster \"" + h.cluster
                        + "\" is not among its clusters [iiif-team-a]");
        assertThat(h.aws.totalCalls()).isEqualTo(before);
    }

    @Test
    void severalPoliciesAddUpAndTheOperatorWritesWhereTheyMeet() {
        String small = create(policy("small", null, 1));
        String wide = create(policy("wide", List.of(h.cluster), 4));
        h.start();

        h.create(Specs.with(h.taskJob("allowed", "a.jpg", "b.jpg"), "parallelism", 4));
        assertThat(h.awaitFinished("allowed").getStatus().phase()).isEqualTo(Phase.Succeeded);
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String name : List.of(small, wide)) {
                assertThat(sharedNamespaces(name)).containsExactly(h.namespace);
            }
        });

        h.client().resources(IiifJobPolicy.class).withName(wide).delete();
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(sharedNamespaces(small))
                .isEmpty());
        h.create(Specs.with(h.taskJob("over", "a.jpg", "b.jpg"), "parallelism", 4));
        assertThat(failure(h.awaitFinished("over")).message())
                .isEqualTo("IiifJobPolicy " + small + ": spec.parallelism 4 is over its maxParallelism 1");
    }

    @Test
    void aSourceThatListsMoreImagesThanThePolicyAllowsFailsTheJob() {
        String name = create(policy("team-a", null, null, 2));
        String bucket = "policy-" + h.cluster;
        try (var goIiif = new io.iiifaws.testing.GoIiifDouble(h.moto.endpoint())) {
            goIiif.createBucket(bucket);
            for (String key : List.of("box/a.jpg", "box/b.jpg", "box/c.jpg")) {
                goIiif.s3()
                        .putObject(
                                r -> r.bucket(bucket).key(key),
                                software.amazon.awssdk.core.sync.RequestBody.fromString("image"));
            }
        }
        h.start();
        IiifJob job = Specs.with(h.taskJob("collection"), "uris", null);
        Specs.with(job, "source", Map.of("s3", Map.of("bucket", bucket, "prefix", "box/")));
        Specs.with(job, "process.reports", "s3://" + bucket + "/reports/");
        h.create(job);

        IiifJob failed = h.awaitFinished("collection");

        assertThat(failure(failed).reason()).isEqualTo("PolicyDenied");
        assertThat(failure(failed).message())
                .isEqualTo("IiifJobPolicy " + name + ": spec.source lists more than its maxUris 2 images (3 so far)");
        assertThat(h.aws.calls("RunTask")).isZero();
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
