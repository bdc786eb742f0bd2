package io.iiifaws.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.iiifaws.api.Condition;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobBinding;
import io.iiifaws.api.Phase;
import io.iiifaws.testing.OperatorHarness;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Objects an API server may store that do not fit the Java types (numbers out of range, values of
 * a newer version, wrong types where the schema is not enforced): each fails on its own, naming
 * the field, and a healthy job beside it runs to the end.
 */
class StoredObjectsTest {
    OperatorHarness h;

    @BeforeEach
    void start() throws Exception {
        h = new OperatorHarness().start();
    }

    @AfterEach
    void stop() {
        h.close();
    }

    String task() {
        return "\"task\":{\"cluster\":\"" + h.cluster + "\",\"taskDefinition\":\"" + h.taskDefinition
                + "\",\"container\":\"iiif\","
                + "\"launchType\":\"FARGATE\"},\"network\":{\"subnets\":[\"" + h.network.subnet()
                + "\"],\"securityGroups\":[\""
                + h.network.securityGroup() + "\"]}";
    }

    IiifJobBinding awaitFinished(String name) {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> h.stored(name),
                        b -> b != null
                                && b.job().getStatus() != null
                                && b.job().getStatus().isFinished());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
      a number past Integer          | "batch":{"size":2147483648}           | spec.batch.size: 2147483648 is more than 2147483647
      a TTL past Integer             | "ttlSecondsAfterFinished":3000000000  | spec.ttlSecondsAfterFinished: 3000000000 is more than 2147483647
      a string for a list            | "uris":"a.jpg"                        | spec.uris: must be a list, not 'a.jpg'
      an enum value of another day   | "mode":"Batch"                        | spec.mode: 'Batch' is not one of Task, Invoke
      a launch type ECS may add      | "task":{"launchType":"MANAGED"}       | spec.task.launchType: 'MANAGED' is not one of FARGATE, EC2, EXTERNAL
      a string for a number          | "parallelism":"many"                  | spec.parallelism: must be a whole number, not 'many'
      a fraction for a whole number  | "backoffLimit":2.5                    | spec.backoffLimit: must be a whole number, not 2.5
      a string for a boolean         | "suspend":"yes"                       | spec.suspend: must be true or false, not 'yes'
      a list for an object           | "process":[1]                         | spec.process: must be an object, not a list
      a null provider                | "task":{"capacityProviderStrategy":[null],"cluster":"c","taskDefinition":"t","container":"iiif"} | spec.task.capacityProviderStrategy[0] is empty
      """)
    void aSpecThatDoesNotFitItsTypesFailsNamingTheFieldAndTheOthersGoOn(String what, String field, String problem) {
        h.createStored("bad", "{\"spec\":{\"uris\":[\"a.jpg\"]," + field + "}}");
        h.create(h.taskJob("healthy", "avocado.png"));

        IiifJobBinding bad = awaitFinished("bad");
        IiifJob healthy = h.awaitFinished("healthy");

        assertThat(bad.job().getStatus().phase()).isEqualTo(Phase.Failed);
        Condition failed = bad.job().getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("InvalidSpec");
        assertThat(failed.message()).isEqualTo(problem);
        assertThat(healthy.getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(h.aws.launched()).singleElement().satisfies(t -> assertThat(t.job())
                .isEqualTo("test/healthy"));
    }

    @Test
    void aSpecThatIsNotAnObjectFailsAndTheOthersGoOn() {
        h.createStored("text", "{\"spec\":\"text\"}");
        h.create(h.taskJob("healthy", "avocado.png"));

        assertThat(awaitFinished("text")
                        .job()
                        .getStatus()
                        .condition(Condition.FAILED)
                        .orElseThrow()
                        .message())
                .isEqualTo("spec: must be an object, not 'text'");
        assertThat(h.awaitFinished("healthy").getStatus().phase()).isEqualTo(Phase.Succeeded);
    }

    @Test
    void unknownFieldsInSpecAndStatusAndUnknownStatusValuesAreTolerated() {
        h.createStored(
                "newer",
                "{\"spec\":{\"uris\":[\"avocado.png\"]," + task() + ",\"priority\":\"high\","
                        + "\"process\":{\"style\":\"v4\",\"gpu\":true}},\"status\":{\"phase\":\"Queued\",\"shard\":7}}");

        IiifJobBinding done = awaitFinished("newer");

        assertThat(done.job().getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(h.aws.launched()).hasSize(1);
    }

    @Test
    void aStatusTooLargeToStoreStopsTheTasksAndFailsTheJobWithASmallStatus() {
        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("huge", "avocado.png"));
        h.await("huge", j -> j.getStatus() != null && !j.getStatus().tasks().isEmpty());
        // The next status write no longer fits.
        h.kubernetes
                .server()
                .expect()
                .patch()
                .withPath(
                        "/apis/iiif-aws.io/v1alpha1/namespaces/" + OperatorHarness.NAMESPACE + "/iiifjobs/huge/status")
                .andReturn(
                        413,
                        new io.fabric8.kubernetes.api.model.StatusBuilder()
                                .withCode(413)
                                .withStatus("Failure")
                                .withMessage("Request entity too large: limit is 3145728")
                                .build())
                .once();
        // A new generation makes the next status write, which no longer fits.
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> {
                    h.client()
                            .resources(IiifJob.class)
                            .inNamespace(OperatorHarness.NAMESPACE)
                            .withName("huge")
                            .edit(j -> io.iiifaws.testing.Specs.with(j, "activeDeadlineSeconds", 3600));
                    return true;
                });

        IiifJob job = h.awaitFinished("huge");

        assertThat(job.getStatus().phase()).isEqualTo(Phase.Failed);
        Condition failed = job.getStatus().condition(Condition.FAILED).orElseThrow();
        assertThat(failed.reason()).isEqualTo("StatusTooLarge");
        assertThat(failed.message())
                .contains("Request entity too large: limit is 3145728", "its running tasks were stopped");
        assertThat(job.getStatus().tasks()).isEmpty();
        assertThat(job.getStatus().batches()).isEmpty();
        String arn = h.aws.launched().get(0).arn();
        assertThat(h.motoEcs
                        .describeTasks(r -> r.cluster(h.cluster).tasks(arn))
                        .tasks()
                        .get(0)
                        .desiredStatus())
                .isEqualTo("STOPPED");
    }

    @Test
    void aRunningJobWhoseSpecTurnsUnreadableStopsItsTaskAndFailsAndCanBeDeleted() {
        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("turned", "avocado.png"));
        h.await(
                "turned",
                j -> j.getStatus() != null
                        && j.getStatus().active() != null
                        && j.getStatus().active() == 1);
        String arn = h.job("turned").getStatus().tasks().get(0).taskArn();

        // The operator writes status meanwhile: an edit of an object it just changed is tried again.
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> {
                    h.client()
                            .genericKubernetesResources("iiif-aws.io/v1alpha1", "IiifJob")
                            .inNamespace(OperatorHarness.NAMESPACE)
                            .withName("turned")
                            .edit(r -> {
                                ((java.util.Map<String, Object>)
                                                r.getAdditionalProperties().get("spec"))
                                        .put("backoffLimit", "lots");
                                return r;
                            });
                    return true;
                });

        IiifJobBinding failed = awaitFinished("turned");
        assertThat(failed.job()
                        .getStatus()
                        .condition(Condition.FAILED)
                        .orElseThrow()
                        .message())
                .isEqualTo("spec.backoffLimit: must be a whole number, not 'lots'");
        assertThat(h.motoEcs
                        .describeTasks(r -> r.cluster(h.cluster).tasks(arn))
                        .tasks()
                        .get(0)
                        .desiredStatus())
                .isEqualTo("STOPPED");

        h.client()
                .resources(io.iiifaws.api.StoredIiifJob.class)
                .inNamespace(OperatorHarness.NAMESPACE)
                .withName("turned")
                .delete();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> h.stored("turned") == null);
    }

    /** Stores a policy as given, which the emulator does not check against the CRD. */
    void storePolicy(String name, String specJson) {
        h.client()
                .genericKubernetesResources(JobPolicyCatalog.POLICIES)
                .resource(h.client()
                        .getKubernetesSerialization()
                        .unmarshal(
                                "{\"apiVersion\":\"iiif-aws.io/v1alpha1\",\"kind\":\"IiifJobPolicy\","
                                        + "\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + specJson + "}",
                                io.fabric8.kubernetes.api.model.GenericKubernetesResource.class))
                .create();
    }

    @Test
    void aPolicyThatDoesNotFitItsTypesAllowsNothingAndIsNamedAndTheOperatorGoesOn() {
        storePolicy("broken", "{\"maxUris\":\"lots\"}");
        h.create(h.taskJob("under-a-broken-policy", "a.jpg"));

        IiifJobBinding refused = awaitFinished("under-a-broken-policy");
        var failed = refused.job()
                .getStatus()
                .condition(io.iiifaws.api.Condition.FAILED)
                .orElseThrow();
        assertThat(failed.reason()).isEqualTo("PolicyDenied");
        assertThat(failed.message())
                .startsWith("no IiifJobPolicy selects namespace test (the cluster has broken);"
                        + " IiifJobPolicy broken cannot be read (")
                .contains("maxUris");

        storePolicy("open", "{}");
        h.create(h.taskJob("under-a-good-one", "a.jpg"));
        assertThat(awaitFinished("under-a-good-one").job().getStatus().phase())
                .isEqualTo(io.iiifaws.api.Phase.Succeeded);
    }
}
