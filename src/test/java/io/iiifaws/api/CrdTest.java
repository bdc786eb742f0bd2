package io.iiifaws.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CRD as generated, against the committed copies; the API server's view is CrdAdmissionTest's. */
class CrdTest {
    static final Path COMMITTED = Path.of("crds", CrdWriter.FILE_NAME);

    @Test
    void theCommittedCrdIsTheOneTheCodeGenerates(@TempDir Path dir) throws Exception {
        List<Path> generated = CrdWriter.write(dir);
        for (int i = 0; i < generated.size(); i++) {
            String name = CrdWriter.FILE_NAMES.get(i);
            assertThat(Files.readString(Path.of("crds", name)))
                    .as(
                            "crds/%s is out of date; regenerate it as README.md (Development) says: mvn -q process-test-classes, then copy target/classes/META-INF/fabric8/%s to crds/ and charts/iiif-aws/crds/",
                            name, name)
                    .isEqualTo(Files.readString(generated.get(i)));
        }
    }

    @Test
    void thePolicyIsClusterScopedWithAStatus() throws Exception {
        CustomResourceDefinition crd = new KubernetesSerialization()
                .unmarshal(
                        Files.readString(Path.of("crds", CrdWriter.POLICY_FILE_NAME)), CustomResourceDefinition.class);
        assertThat(crd.getSpec().getScope()).isEqualTo("Cluster");
        assertThat(crd.getSpec().getNames().getKind()).isEqualTo("IiifJobPolicy");
        assertThat(crd.getSpec().getVersions().get(0).getSubresources().getStatus())
                .isNotNull();
    }

    @Test
    void theCrdHasStatusPrinterColumnsAndAShortName() throws Exception {
        CustomResourceDefinition crd =
                new KubernetesSerialization().unmarshal(Files.readString(COMMITTED), CustomResourceDefinition.class);
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("ijob");
        var version = crd.getSpec().getVersions().get(0);
        assertThat(version.getName()).isEqualTo("v1alpha1");
        assertThat(version.getSubresources().getStatus()).isNotNull();
        assertThat(version.getAdditionalPrinterColumns())
                .extracting(c -> c.getName() + "=" + c.getJsonPath())
                .containsExactly(
                        "Phase=.status.phase",
                        "Tasks=.status.progress",
                        "Images=.status.imageProgress",
                        "Active=.status.active",
                        "Failed=.status.failed",
                        "Age=.metadata.creationTimestamp");
    }

    @Test
    void everyFieldOfBothCrdsIsDescribedForKubectlExplain() throws Exception {
        List<String> undescribed = new ArrayList<>();
        for (String name : CrdWriter.FILE_NAMES) {
            CustomResourceDefinition crd = new KubernetesSerialization()
                    .unmarshal(Files.readString(Path.of("crds", name)), CustomResourceDefinition.class);
            walk(name + ":", crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema(), undescribed);
        }
        assertThat(undescribed).isEmpty();
    }

    private static void walk(String path, JSONSchemaProps props, List<String> undescribed) {
        if (props.getProperties() != null) {
            for (Map.Entry<String, JSONSchemaProps> field :
                    props.getProperties().entrySet()) {
                String fieldPath = path + "." + field.getKey();
                if (field.getValue().getDescription() == null
                        || field.getValue().getDescription().isBlank()) {
                    undescribed.add(fieldPath);
                }
                walk(fieldPath, field.getValue(), undescribed);
            }
        }
        if (props.getItems() != null && props.getItems().getSchema() != null) {
            walk(path + "[]", props.getItems().getSchema(), undescribed);
        }
    }
}
