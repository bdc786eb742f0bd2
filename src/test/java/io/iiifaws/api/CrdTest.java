package io.iiifaws.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.iiifaws.testing.CrdAdmission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CrdTest {
  static final Path COMMITTED = Path.of("crds", CrdWriter.FILE_NAME);
  static CrdAdmission admission;

  static final String VALID = """
      apiVersion: iiif-aws.io/v1alpha1
      kind: IiifJob
      metadata: {name: j, namespace: ns}
      spec:
        uris: [avocado.png, collection/IMG_0084.JPG]
        task: {cluster: iiif, taskDefinition: "go-iiif:1", container: iiif, launchType: FARGATE}
        network: {subnets: [subnet-0123456789abcdef0], securityGroups: [sg-0123456789abcdef0], assignPublicIp: DISABLED}
        process: {style: v4, report: true}
      """;

  @BeforeAll
  static void load() throws Exception {
    admission = new CrdAdmission(COMMITTED);
  }

  @Test
  void theCommittedCrdIsTheOneTheCodeGenerates(@TempDir Path dir) throws Exception {
    Path generated = CrdWriter.write(dir);
    assertThat(Files.readString(COMMITTED))
        .as("crds/%s is out of date; regenerate it as README.md (Development) says: mvn -q process-test-classes, then copy target/classes/META-INF/fabric8/%s to crds/ and charts/iiif-aws/crds/",
            CrdWriter.FILE_NAME, CrdWriter.FILE_NAME)
        .isEqualTo(Files.readString(generated));
  }

  @Test
  void theCrdHasStatusPrinterColumnsAndAShortName() throws Exception {
    CustomResourceDefinition crd = new KubernetesSerialization().unmarshal(Files.readString(COMMITTED), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("ijob");
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getSubresources().getStatus()).isNotNull();
    assertThat(version.getAdditionalPrinterColumns())
        .extracting(c -> c.getName() + "=" + c.getJsonPath())
        .containsExactly("Phase=.status.phase", "Tasks=.status.progress", "Active=.status.active",
            "Failed=.status.failed", "Age=.metadata.creationTimestamp");
  }

  @Test
  void everyFieldIsDescribedForKubectlExplain() throws Exception {
    CustomResourceDefinition crd = new KubernetesSerialization().unmarshal(Files.readString(COMMITTED), CustomResourceDefinition.class);
    List<String> undescribed = new ArrayList<>();
    walk("", crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema(), undescribed);
    assertThat(undescribed).isEmpty();
  }

  private static void walk(String path, JSONSchemaProps props, List<String> undescribed) {
    if (props.getProperties() != null) {
      for (Map.Entry<String, JSONSchemaProps> field : props.getProperties().entrySet()) {
        String fieldPath = path + "." + field.getKey();
        if (field.getValue().getDescription() == null || field.getValue().getDescription().isBlank()) {
          undescribed.add(fieldPath);
        }
        walk(fieldPath, field.getValue(), undescribed);
      }
    }
    if (props.getItems() != null && props.getItems().getSchema() != null) {
      walk(path + "[]", props.getItems().getSchema(), undescribed);
    }
  }

  @Test
  void aValidJobIsAdmitted() throws Exception {
    assertThat(admission.problems(CrdAdmission.yaml(VALID))).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      no uris                        | /spec/uris                                   |                    | $.spec: required property 'uris' not found
      empty uris                     | /spec/uris                                   | []                 | $.spec.uris: must have at least 1 items
      uri read as a flag             | /spec/uris                                   | ["-config=x"]      | $.spec.uris[0]: does not match the regex pattern ^[^-]
      unknown mode                   | /spec/mode                                   | "Batch"            | $.spec.mode: does not have a value in the enumeration
      unknown launch type            | /spec/task/launchType                        | "LAMBDA"           | $.spec.task.launchType: does not have a value in the enumeration
      bad subnet                     | /spec/network/subnets                        | ["subnet-XYZ"]     | $.spec.network.subnets[0]: does not match the regex pattern
      bad security group             | /spec/network/securityGroups                 | ["default"]        | $.spec.network.securityGroups[0]: does not match the regex pattern
      bad public ip                  | /spec/network/assignPublicIp                 | "YES"              | $.spec.network.assignPublicIp: does not have a value in the enumeration
      unknown go-iiif style          | /spec/process/style                          | "v3"               | $.spec.process.style: does not have a value in the enumeration
      zero parallelism               | /spec/parallelism                            | 0                  | $.spec.parallelism: must have a minimum value of 1
      negative backoff limit         | /spec/backoffLimit                           | -1                 | $.spec.backoffLimit: must have a minimum value of 0
      provider without a name        | /spec/task/capacityProviderStrategy          | [{"weight": 1}]    | $.spec.task.capacityProviderStrategy[0]: required property 'capacityProvider' not found
      launch type and providers      | /spec/task/capacityProviderStrategy          | [{"capacityProvider": "FARGATE_SPOT"}] | $.spec.task: set either launchType or capacityProviderStrategy, not both
      invoke without lambda          | /spec/mode                                   | "Invoke"           | $.spec: spec.lambda is required when spec.mode is Invoke
      lambda without function        | /spec/lambda                                 | {"qualifier": "live"} | $.spec.lambda: required property 'functionName' not found
      bad region                     | /spec/region                                 | "Europe"           | $.spec.region: does not match the regex pattern
      """)
  void anInvalidJobIsRefused(String name, String pointer, String json, String problem) throws Exception {
    JsonNode job = CrdAdmission.yaml(VALID);
    set(job, pointer, json == null ? null : CrdAdmission.yaml(json));
    assertThat(admission.problems(job)).anySatisfy(p -> assertThat(p).startsWith(problem));
  }

  @Test
  void whatShapesARunCannotChangeOnceTheJobExists() throws Exception {
    JsonNode old = CrdAdmission.yaml(VALID);
    JsonNode changed = CrdAdmission.yaml(VALID);
    set(changed, "/spec/uris", CrdAdmission.yaml("[other.png]"));
    JsonNode suspended = CrdAdmission.yaml(VALID);
    set(suspended, "/spec/suspend", CrdAdmission.yaml("true"));

    assertThat(admission.problems(changed, old)).containsExactly("$.spec.uris: spec.uris cannot be changed once the job exists");
    assertThat(admission.problems(suspended, old)).isEmpty();
    JsonNode moved = CrdAdmission.yaml(VALID);
    set(moved, "/spec/task/cluster", CrdAdmission.yaml("other"));
    assertThat(admission.problems(moved, old)).containsExactly("$.spec.task: spec.task.cluster cannot be changed once the job exists");
    JsonNode invoked = CrdAdmission.yaml(VALID);
    set(invoked, "/spec/mode", CrdAdmission.yaml("Invoke"));
    set(invoked, "/spec/lambda", CrdAdmission.yaml("{functionName: f}"));
    assertThat(admission.problems(invoked, old)).containsExactly("$.spec.mode: spec.mode cannot be changed once the job exists");
    JsonNode newDefinition = CrdAdmission.yaml(VALID);
    set(newDefinition, "/spec/task/taskDefinition", CrdAdmission.yaml("go-iiif:2"));
    assertThat(admission.problems(newDefinition, old)).isEmpty();
  }

  private static void set(JsonNode root, String pointer, JsonNode value) {
    int slash = pointer.lastIndexOf('/');
    ObjectNode parent = (ObjectNode) root.at(pointer.substring(0, slash));
    String field = pointer.substring(slash + 1);
    if (value == null) {
      parent.remove(field);
    } else {
      parent.set(field, value);
    }
  }
}
