package io.iiifaws.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.operator.EventRecorder;
import io.iiifaws.operator.IiifJobOperator;
import io.iiifaws.testing.ApiCalls;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.RealApiServer;
import io.iiifaws.testing.Specs;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator on a real API server, as the cluster admin: what kubectl shows of a job, the status
 * subresource and its optimistic locking, finalizers and deletion, Events as the server validates
 * them, re-applied manifests, and leader election on a real Lease.
 */
class OperatorOnRealApiServerTest {
    OperatorHarness h;
    RealApiServer server;

    @BeforeEach
    void start() throws Exception {
        h = OperatorHarness.onRealApiServer();
        server = h.real();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** A job's manifest as a user writes it, on the harness's cluster, task definition and network. */
    String manifest(String name, String extraSpec, String... uris) {
        return """
        apiVersion: iiif-aws.io/v1alpha1
        kind: IiifJob
        metadata:
          name: %s
        spec:
          uris: [%s]
          task: {cluster: %s, taskDefinition: "%s", container: %s, launchType: FARGATE}
          network: {subnets: [%s], securityGroups: [%s]}
        %s"""
                .formatted(
                        name,
                        String.join(", ", uris),
                        h.cluster,
                        h.taskDefinition,
                        OperatorHarness.CONTAINER,
                        h.network.subnet(),
                        h.network.securityGroup(),
                        extraSpec.isEmpty() ? "" : "  " + extraSpec + "\n");
    }

    RealApiServer.Kubectl kubectl(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-n", h.namespace));
        return server.kubectl(all.toArray(String[]::new));
    }

    @Test
    void aJobAppliedWithKubectlRunsToCompletionAsKubectlShowsIt() {
        h.start();
        var applied = server.kubectlWithInput(
                manifest("gallery", "", "avocado.png", "collection/IMG_0084.JPG"),
                "apply",
                "-n",
                h.namespace,
                "-f",
                "-");
        assertThat(applied.output()).isEqualTo("iiifjob.iiif-aws.io/gallery created\n");

        var waited = kubectl("wait", "--for=condition=Complete", "--timeout=60s", "ijob/gallery");
        assertThat(waited.status()).as(waited.output()).isZero();
        assertThat(waited.output()).isEqualTo("iiifjob.iiif-aws.io/gallery condition met\n");

        var listed = kubectl("get", "iiifjobs");
        assertThat(listed.output().lines().toList())
                .satisfiesExactly(
                        header -> assertThat(header.split("\\s+"))
                                .containsExactly("NAME", "PHASE", "TASKS", "IMAGES", "ACTIVE", "FAILED", "AGE"),
                        row -> assertThat(row).matches("gallery\\s+Succeeded\\s+1/1\\s+2/2\\s+0\\s+0\\s+\\d+s"));
        var events = kubectl("events", "--for", "iiifjob/gallery");
        assertThat(events.output()).contains("Launched", "TaskSucceeded", "Completed", "IiifJob/gallery");

        IiifJob job = h.job("gallery");
        // Status writes go to the status subresource: the spec's generation is the one applied.
        assertThat(job.getMetadata().getGeneration()).isEqualTo(1);
        assertThat(job.getStatus().observedGeneration()).isEqualTo(1);
        assertThat(job.getMetadata().getFinalizers()).singleElement().asString().startsWith("iiifjobs.iiif-aws.io");
        assertThat(h.events("gallery")).allSatisfy(e -> {
            assertThat(e.getReportingController()).isEqualTo(EventRecorder.CONTROLLER);
            assertThat(e.getRegarding().getUid()).isEqualTo(job.getMetadata().getUid());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"spec", "spec.task", "spec.network", "spec.process", "spec.batch", "spec.lambda", "status"})
    void kubectlExplainListsAndDescribesEveryField(String path) throws Exception {
        JsonNode schema = new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("crds/iiifjobs.iiif-aws.io-v1.yml").toFile())
                .at("/spec/versions/0/schema/openAPIV3Schema");
        for (String part : path.split("\\.")) {
            schema = schema.path("properties").path(part);
        }
        var explained = server.kubectl("explain", "iiifjob." + path);
        assertThat(explained.status()).as(explained.output()).isZero();

        // Each field: "  name\t<type>", maybe "  enum: ...", then its description indented by four.
        String fields = explained
                .output()
                .substring(explained.output().indexOf("FIELDS:\n") + 8)
                .strip();
        Map<String, String> described = new TreeMap<>();
        for (String block : fields.split("\n\\s*\n")) {
            List<String> lines = block.lines().toList();
            String name = lines.get(0).strip().split("\t")[0];
            described.put(
                    name,
                    lines.stream()
                            .filter(l -> l.startsWith("    "))
                            .map(String::strip)
                            .collect(Collectors.joining(" ")));
        }
        List<String> inSchema = new ArrayList<>();
        schema.path("properties").fieldNames().forEachRemaining(inSchema::add);
        assertThat(described.keySet()).containsExactlyInAnyOrderElementsOf(inSchema);
        assertThat(described)
                .allSatisfy((name, description) ->
                        assertThat(description).as(path + "." + name).isNotBlank());
    }

    @Test
    void aStatusWriteThatLosesARaceIsRedoneOnTheNewerObject() {
        ApiCalls calls = new ApiCalls();
        AtomicBoolean raced = new AtomicBoolean();
        KubernetesClient admin = server.newAdminClient();
        // Someone else labels the job just before the operator's first status write goes out.
        Interceptor labelFirst = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                if ("PATCH".equals(request.method())
                        && request.uri().getPath().endsWith("/race/status")
                        && raced.compareAndSet(false, true)) {
                    admin.resources(IiifJob.class)
                            .inNamespace(h.namespace)
                            .withName("race")
                            .edit(j -> {
                                j.getMetadata().getLabels().put("team", "photography");
                                return j;
                            });
                }
            }
        };
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(h.client().getConfiguration())
                .withHttpClientBuilderConsumer(
                        b -> b.addOrReplaceInterceptor("calls", calls).addOrReplaceInterceptor("race", labelFirst))
                .build();
        h.startOperator(h.config("racing"), client);
        IiifJob job = h.taskJob("race", "a.jpg");
        job.getMetadata().setLabels(new HashMap<>(Map.of("collection", "prints")));
        h.create(job);

        IiifJob finished = h.awaitFinished("race");

        List<ApiCalls.Call> statusWrites = calls.matching(c -> c.path().endsWith("/race/status"));
        assertThat(statusWrites.get(0).code()).isEqualTo(409);
        assertThat(statusWrites.subList(1, statusWrites.size()))
                .allSatisfy(c -> assertThat(c.code()).isEqualTo(200));
        assertThat(finished.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(finished.getStatus().tasks()).hasSize(1);
        assertThat(h.aws.calls("RunTask")).isEqualTo(1);
        assertThat(finished.getMetadata().getLabels())
                .containsEntry("collection", "prints")
                .containsEntry("team", "photography");
        admin.close();
    }

    @Test
    void reApplyingTheManifestServerSideKeepsTheStatusAndTheFinalizer() {
        h.start();
        var first = server.kubectlWithInput(
                manifest("synced", "ttlSecondsAfterFinished: 3600", "a.jpg"),
                "apply",
                "--server-side",
                "--field-manager=argocd-controller",
                "-n",
                h.namespace,
                "-f",
                "-");
        assertThat(first.output()).isEqualTo("iiifjob.iiif-aws.io/synced serverside-applied\n");
        h.awaitFinished("synced");

        var again = server.kubectlWithInput(
                manifest("synced", "ttlSecondsAfterFinished: 7200", "a.jpg"),
                "apply",
                "--server-side",
                "--field-manager=argocd-controller",
                "-n",
                h.namespace,
                "-f",
                "-");
        assertThat(again.status()).as(again.output()).isZero();

        IiifJob job = h.await("synced", j -> j.getStatus().observedGeneration() == 2);
        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(job.getSpec().ttlSecondsAfterFinished()).isEqualTo(7200);
        assertThat(job.getMetadata().getFinalizers()).hasSize(1);
        assertThat(h.aws.calls("RunTask")).isEqualTo(1);
    }

    @Test
    void kubectlDeleteReturnsOnceTheJobsTaskIsStopped() {
        h.start();
        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("doomed", "a.jpg"));
        IiifJob running = h.await(
                "doomed",
                j -> j.getStatus() != null
                        && j.getStatus().active() != null
                        && j.getStatus().active() == 1);
        String arn = running.getStatus().tasks().get(0).taskArn();

        var deleted = kubectl("delete", "ijob/doomed", "--timeout=60s");

        assertThat(deleted.output())
                .isEqualTo("iiifjob.iiif-aws.io \"doomed\" deleted from " + h.namespace + " namespace\n");
        assertThat(h.job("doomed")).isNull();
        var task = h.motoEcs
                .describeTasks(r -> r.cluster(h.cluster).tasks(arn))
                .tasks()
                .get(0);
        assertThat(task.lastStatus()).isEqualTo("STOPPED");
        assertThat(task.stoppedReason()).isEqualTo("iiif-aws: IiifJob " + h.namespace + "/doomed deleted");
    }

    @Test
    void aJobThatOrphansItsTasksGoesAtOnceAndLeavesTheTaskRunning() {
        h.start();
        h.aws.holdRunning(task -> true);
        h.create(Specs.with(h.taskJob("orphan", "a.jpg"), "deletionPolicy", "Orphan"));
        IiifJob running = h.await(
                "orphan",
                j -> j.getStatus() != null
                        && j.getStatus().active() != null
                        && j.getStatus().active() == 1);

        var deleted = kubectl("delete", "ijob/orphan", "--timeout=60s");

        assertThat(deleted.status()).as(deleted.output()).isZero();
        assertThat(h.job("orphan")).isNull();
        assertThat(h.aws.calls("StopTask")).isZero();
        var task = h.motoEcs
                .describeTasks(r -> r.cluster(h.cluster)
                        .tasks(running.getStatus().tasks().get(0).taskArn()))
                .tasks()
                .get(0);
        assertThat(task.desiredStatus()).isEqualTo("RUNNING");
    }

    @Test
    void theEventsOfAJobWithTheLongestNameAreStored() {
        h.start();
        // 253 characters, the most a name may have; cut for its events' names, it would end in '-'.
        String name = "a".repeat(239) + "-" + "b".repeat(13);
        h.create(h.taskJob(name, "a.jpg"));

        h.awaitFinished(name);

        assertThat(h.eventReasons(name)).contains("Launched", "TaskSucceeded", "Completed");
    }

    @Test
    void withLeaderElectionOnlyTheLeaderReconcilesAndAStandbyTakesOverTheLease() {
        IiifJobOperator first = h.startOperator(electing(h.config("first"), "first"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(first::isLeader);
        IiifJobOperator second = h.startOperator(electing(h.config("second"), "second"));
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("first");
        assertThat(second.isLeader()).isFalse();

        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("led", "a.jpg"));
        h.await(
                "led",
                j -> j.getStatus() != null
                        && j.getStatus().active() != null
                        && j.getStatus().active() == 1);
        assertThat(h.events("led"))
                .allSatisfy(e -> assertThat(e.getReportingInstance()).isEqualTo("first"));

        first.close();
        Awaitility.await().atMost(Duration.ofSeconds(40)).until(second::isLeader);
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("second");
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);
        h.aws.holdRunning(task -> false);
        IiifJob job = h.awaitFinished("led");
        assertThat(job.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(h.aws.launched()).hasSize(1);
        assertThat(h.events("led"))
                .filteredOn(e -> e.getReason().equals("Completed"))
                .singleElement()
                .satisfies(e -> assertThat(e.getReportingInstance()).isEqualTo("second"));
    }

    Lease lease() {
        return h.client()
                .leases()
                .inNamespace(h.namespace)
                .withName("iiif-aws-operator")
                .get();
    }

    IiifJobOperator.Config electing(IiifJobOperator.Config config, String identity) {
        return new IiifJobOperator.Config(
                config.namespaces(),
                config.instance(),
                config.settings(),
                Optional.of(LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration("iiif-aws-operator")
                        .withLeaseNamespace(h.namespace)
                        .withIdentity(identity)
                        .withLeaseDuration(Duration.ofSeconds(4))
                        .withRenewDeadline(Duration.ofSeconds(3))
                        .withRetryPeriod(Duration.ofMillis(500))
                        .withExitOnStopLeading(false)
                        .build()),
                config.josdkMetrics(),
                config.jobMetrics(),
                config.closeClient());
    }
}
