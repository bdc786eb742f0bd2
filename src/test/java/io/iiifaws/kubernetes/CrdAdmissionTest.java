package io.iiifaws.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.iiifaws.testing.RealApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The generated CRD's schema and CEL rules, as the real API server applies them. */
class CrdAdmissionTest {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static RealApiServer server;
    static String namespace;

    static final String VALID =
            """
      apiVersion: iiif-aws.io/v1alpha1
      kind: IiifJob
      metadata: {name: j}
      spec:
        uris: [avocado.png, collection/IMG_0084.JPG]
        task: {cluster: iiif, taskDefinition: "go-iiif:1", container: iiif, launchType: FARGATE}
        network: {subnets: [subnet-0123456789abcdef0], securityGroups: [sg-0123456789abcdef0], assignPublicIp: DISABLED}
        process: {style: v4, reports: "s3://museum-iiif/reports/"}
      """;

    @BeforeAll
    static void start() {
        server = RealApiServer.get();
        namespace = server.newNamespace("admission");
    }

    @AfterAll
    static void deleteJobs() {
        server.deleteJobs(namespace);
    }

    static String with(String pointer, String value) throws Exception {
        JsonNode job = YAML.readTree(VALID);
        int slash = pointer.lastIndexOf('/');
        ObjectNode parent = (ObjectNode) job;
        for (String part : pointer.substring(1, slash).split("/")) {
            parent = parent.has(part) ? (ObjectNode) parent.get(part) : parent.putObject(part);
        }
        String field = pointer.substring(slash + 1);
        if (value == null) {
            parent.remove(field);
        } else {
            parent.set(field, YAML.readTree(value));
        }
        return YAML.writeValueAsString(job);
    }

    @Test
    void aValidJobIsAdmitted() {
        assertThat(server.admissionProblems(namespace, VALID)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
      no uris                   | /spec/uris                          |                           | spec: Invalid value: spec names either uris or source
      uris and a source         | /spec/source                        | {"s3": {"bucket": "museum"}} | spec: Invalid value: spec names either uris or source
      source of both kinds      | /spec/source                        | {"s3": {"bucket": "museum"}, "manifest": {"uri": "s3://museum/list.txt"}} | spec.source: Invalid value: spec.source names either s3 or manifest
      source without a bucket   | /spec/source                        | {"s3": {"prefix": "a/"}}  | spec.source.s3.bucket: Required value
      manifest not in S3        | /spec/source                        | {"manifest": {"uri": "https://museum.org/list.txt"}} | spec.source.manifest.uri: Invalid value
      unknown manifest format   | /spec/source                        | {"manifest": {"uri": "s3://museum/l.csv", "format": "Excel"}} | spec.source.manifest.format: Unsupported value
      empty uris                | /spec/uris                          | []                        | spec.uris: Invalid value: 0: spec.uris in body should have at least 1 items
      too many uris             | /spec/uris                          | TOO_MANY                  | spec.uris: Too many: 30001: must have at most 30000 items
      uri read as a flag        | /spec/uris                          | ["-config=x"]             | spec.uris[0]: Invalid value: "-config=x": spec.uris[0] in body should match '^[^-]'
      unknown mode              | /spec/mode                          | "Batch"                   | spec.mode: Unsupported value: "Batch": supported values: "Invoke", "Task"
      unknown launch type       | /spec/task/launchType               | "LAMBDA"                  | spec.task.launchType: Unsupported value: "LAMBDA"
      bad subnet                | /spec/network/subnets               | ["subnet-XYZ"]            | spec.network.subnets[0]: Invalid value: "subnet-XYZ"
      bad security group        | /spec/network/securityGroups        | ["default"]               | spec.network.securityGroups[0]: Invalid value: "default"
      bad public ip             | /spec/network/assignPublicIp        | "YES"                     | spec.network.assignPublicIp: Unsupported value: "YES"
      unknown go-iiif style     | /spec/process/style                 | "v3"                      | spec.process.style: Unsupported value: "v3"
      reports not on S3         | /spec/process/reports               | "s3blob://museum/reports" | spec.process.reports: Invalid value: "s3blob://museum/reports"
      negative failed images    | /spec/process/maxFailedImages       | -1                        | spec.process.maxFailedImages: Invalid value: -1: spec.process.maxFailedImages in body should be greater than or equal to 0
      zero parallelism          | /spec/parallelism                   | 0                         | spec.parallelism: Invalid value: 0: spec.parallelism in body should be greater than or equal to 1
      parallelism over 1000     | /spec/parallelism                   | 1001                      | spec.parallelism: Invalid value: 1001: spec.parallelism in body should be less than or equal to 1000
      negative backoff limit    | /spec/backoffLimit                  | -1                        | spec.backoffLimit: Invalid value: -1: spec.backoffLimit in body should be greater than or equal to 0
      batch past Integer        | /spec/batch/size                    | 2147483648                | spec.batch.size: Invalid value: 2147483648: spec.batch.size in body should be less than or equal to 100000
      TTL past Integer          | /spec/ttlSecondsAfterFinished       | 3000000000                | spec.ttlSecondsAfterFinished: Invalid value: 3000000000: spec.ttlSecondsAfterFinished in body should be less than or equal to 315360000
      deadline past ten years   | /spec/activeDeadlineSeconds         | 315360001                 | spec.activeDeadlineSeconds: Invalid value: 315360001: spec.activeDeadlineSeconds in body should be less than or equal to 315360000
      provider without a name   | /spec/task/capacityProviderStrategy | [{"weight": 1}]           | spec.task.capacityProviderStrategy[0].capacityProvider: Required value
      launch type and providers | /spec/task/capacityProviderStrategy | [{"capacityProvider": "FARGATE_SPOT"}] | spec.task: Invalid value: set either launchType or capacityProviderStrategy, not both
      invoke without lambda     | /spec/mode                          | "Invoke"                  | spec: Invalid value: spec.lambda is required when spec.mode is Invoke
      lambda without function   | /spec/lambda                        | {"qualifier": "live"}     | spec.lambda.functionName: Required value
      bad region                | /spec/region                        | "Europe"                  | spec.region: Invalid value: "Europe"
      """)
    void anInvalidJobIsRefusedNamingTheField(String name, String pointer, String value, String problem)
            throws Exception {
        String json = "TOO_MANY".equals(value)
                ? YAML.writeValueAsString(java.util.stream.IntStream.rangeClosed(0, 30_000)
                        .mapToObj(i -> i + ".jpg")
                        .toList())
                : value;
        assertThat(server.admissionProblems(namespace, with(pointer, json)))
                .anySatisfy(p -> assertThat(p).startsWith(problem));
    }

    @Test
    void whatShapesARunCannotChangeOnceTheJobExists() throws Exception {
        var jobs = server.admin()
                .genericKubernetesResources("iiif-aws.io/v1alpha1", "IiifJob")
                .inNamespace(namespace);
        GenericKubernetesResource created = jobs.resource(server.admin()
                        .getKubernetesSerialization()
                        .unmarshal(VALID.replace("name: j", "name: fixed"), GenericKubernetesResource.class))
                .create();

        assertThat(update(created, "/spec/uris", "[other.png]"))
                .containsExactly("spec.uris: Invalid value: spec.uris cannot be changed once the job exists");
        assertThat(update(created, "/spec/task/cluster", "other"))
                .containsExactly("spec.task: Invalid value: spec.task.cluster cannot be changed once the job exists");
        assertThat(update(created, "/spec/mode", "Invoke"))
                .contains("spec.mode: Invalid value: \"Invoke\": spec.mode cannot be changed once the job exists");
        assertThat(update(created, "/spec/region", "eu-west-1"))
                .containsExactly("spec: Invalid value: spec.region cannot be changed once the job exists");
        assertThat(update(created, "/spec/source", "{\"s3\": {\"bucket\": \"museum\"}}"))
                .contains("spec: Invalid value: spec.source cannot be changed once the job exists");
        assertThat(update(created, "/spec/suspend", "true")).isEmpty();
        assertThat(update(created, "/spec/task/taskDefinition", "go-iiif:2")).isEmpty();
    }

    /** The problems of changing one field of the stored job (a server-side dry run of the update). */
    static List<String> update(GenericKubernetesResource stored, String pointer, String value) throws Exception {
        JsonNode job = YAML.valueToTree(stored);
        int slash = pointer.lastIndexOf('/');
        ((ObjectNode) job.at(pointer.substring(0, slash))).set(pointer.substring(slash + 1), YAML.readTree(value));
        GenericKubernetesResource changed = YAML.treeToValue(job, GenericKubernetesResource.class);
        try {
            server.admin()
                    .genericKubernetesResources("iiif-aws.io/v1alpha1", "IiifJob")
                    .inNamespace(namespace)
                    .resource(changed)
                    .dryRun()
                    .update();
            return List.of();
        } catch (KubernetesClientException e) {
            return RealApiServer.causes(e);
        }
    }

    static Stream<Path> examples() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("examples"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsAdmittedByAServerSideDryRun(Path example) throws Exception {
        var kubectl = server.kubectl("apply", "--dry-run=server", "-n", namespace, "-f", example.toString());
        Assertions.assertThat(kubectl.status()).as(kubectl.output()).isZero();
        assertThat(kubectl.output()).contains("(server dry run)");
    }
}
