package io.iiifaws.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.iiifaws.api.IiifJob;
import io.iiifaws.testing.PolicyCases;
import io.iiifaws.testing.RealApiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's ValidatingAdmissionPolicy on a real API server, held to the same table of cases as
 * the operator's own check (JobPoliciesTest): the API server evaluates its CEL, not a copy of it.
 */
class PolicyAdmissionTest {
    static RealApiServer server;
    static List<HasMetadata> admission;
    static final AtomicInteger CASES = new AtomicInteger();
    String policyName;

    @BeforeAll
    static void installTheChartsAdmissionPolicy() {
        server = RealApiServer.get();
        String rendered = new Helm(Path.of("charts/iiif-aws"))
                .template()
                .withName("policies")
                .withNamespace("iiif-system")
                .withKubeVersion(server.admin().getKubernetesVersion().getGitVersion())
                .set("aws.region", "eu-west-1")
                .call();
        Set<String> kinds = Set.of("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
        admission = server.load(rendered).stream()
                .filter(o -> kinds.contains(o.getKind()))
                .toList();
        assertThat(admission).hasSize(2);
        server.apply(admission);
    }

    @AfterAll
    static void removeIt() {
        admission.forEach(o -> server.admin().resource(o).delete());
    }

    @AfterEach
    void deletePolicies() {
        server.admin()
                .genericKubernetesResources(IiifJob.API_VERSION, "IiifJobPolicy")
                .delete();
    }

    /** A namespace of team a, with a label of this case's own that its policies select too. */
    String teamNamespace(String caseLabel) {
        String namespace = server.newNamespace("team-a");
        server.admin().namespaces().withName(namespace).edit(n -> {
            n.getMetadata().setLabels(Map.of(PolicyCases.TEAM_LABEL, "a", "iiif-aws.io/case", caseLabel));
            return n;
        });
        return namespace;
    }

    /** Creates the policy, with this case's label added to its selector, and waits until admission uses it. */
    GenericKubernetesResource createPolicy(String name, String changes, String caseLabel, String namespace) {
        String yaml = PolicyCases.changed(PolicyCases.POLICY, changes + "; /metadata/name=" + name);
        GenericKubernetesResource policy =
                server.admin().getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) policy.getAdditionalProperties().get("spec");
        @SuppressWarnings("unchecked")
        Map<String, Object> selector =
                (Map<String, Object>) spec.computeIfAbsent("namespaceSelector", k -> new java.util.HashMap<>());
        @SuppressWarnings("unchecked")
        Map<String, Object> labels =
                (Map<String, Object>) selector.computeIfAbsent("matchLabels", k -> new java.util.HashMap<>());
        labels.put("iiif-aws.io/case", caseLabel);
        GenericKubernetesResource created = server.admin().resource(policy).create();
        // Admission sees a new param a moment later; a job over every policy's parallelism shows when.
        String probe = PolicyCases.changed(PolicyCases.JOB, "/spec/parallelism=1000");
        boolean selects = io.iiifaws.policy.JobPolicies.selects(
                server.admin()
                        .getKubernetesSerialization()
                        .convertValue(created, io.iiifaws.api.IiifJobPolicy.class)
                        .getSpec(),
                server.admin()
                        .namespaces()
                        .withName(namespace)
                        .get()
                        .getMetadata()
                        .getLabels());
        if (selects) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> server.admissionProblems(namespace, probe).stream()
                            .anyMatch(p -> p.contains("IiifJobPolicy " + name + ":")));
        }
        return created;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.iiifaws.testing.PolicyCases#cases")
    void eachFieldIsAllowedOrDeniedAsTheOperatorJudgesIt(
            String name, String jobChanges, String policyChanges, String denied) {
        String caseLabel = "c" + CASES.incrementAndGet();
        String namespace = teamNamespace(caseLabel);
        createPolicy("team-a-" + caseLabel, policyChanges, caseLabel, namespace);

        List<String> problems = server.admissionProblems(namespace, PolicyCases.changed(PolicyCases.JOB, jobChanges));

        if (denied.isEmpty() || denied.equals(PolicyCases.UNSELECTED)) {
            // A namespace that no policy selects is the operator's to refuse: admission sees one policy at a time.
            assertThat(problems).isEmpty();
        } else {
            assertThat(problems)
                    .singleElement()
                    .asString()
                    .contains("IiifJobPolicy team-a-" + caseLabel + ": " + denied + " ");
        }
    }

    @Test
    void theExamplePoliciesAreValid() throws Exception {
        try (var files = java.nio.file.Files.list(Path.of("examples/policies"))) {
            for (Path file : files.sorted().toList()) {
                GenericKubernetesResource policy = server.admin()
                        .getKubernetesSerialization()
                        .unmarshal(java.nio.file.Files.readString(file), GenericKubernetesResource.class);
                assertThat(policy.getKind()).as(file.toString()).isEqualTo("IiifJobPolicy");
                server.admin().resource(policy).dryRun().create();
            }
        }
    }

    @Test
    void kubectlApplySaysWhichPolicyRefusesWhichField() {
        String caseLabel = "c" + CASES.incrementAndGet();
        String namespace = teamNamespace(caseLabel);
        createPolicy("team-a-" + caseLabel, "", caseLabel, namespace);

        RealApiServer.Kubectl applied = server.kubectlWithInput(
                PolicyCases.changed(PolicyCases.JOB, "/metadata/name=big; /spec/parallelism=200"),
                "apply",
                "-n",
                namespace,
                "-f",
                "-");

        assertThat(applied.status()).isNotZero();
        assertThat(applied.output().replaceAll("\\s+", " "))
                .contains("Error from server (Forbidden)")
                .contains("iiifjobs.iiif-aws.io \"big\" is forbidden: ValidatingAdmissionPolicy"
                        + " 'policies-iiif-aws-iiifjobpolicies' with binding 'policies-iiif-aws-iiifjobpolicies' denied"
                        + " request: IiifJobPolicy team-a-" + caseLabel
                        + ": spec.parallelism 200 is over its maxParallelism 10");
    }

    @Test
    void whereSeveralPoliciesSelectANamespaceAdmissionLeavesItToTheOperator() {
        String caseLabel = "c" + CASES.incrementAndGet();
        String namespace = teamNamespace(caseLabel);
        GenericKubernetesResource small = createPolicy("small-" + caseLabel, "", caseLabel, namespace);
        GenericKubernetesResource big =
                createPolicy("big-" + caseLabel, "/spec/maxParallelism=100", caseLabel, namespace);
        String job = PolicyCases.changed(PolicyCases.JOB, "/spec/parallelism=50");
        assertThat(server.admissionProblems(namespace, job))
                .singleElement()
                .asString()
                .contains("IiifJobPolicy small-" + caseLabel + ": spec.parallelism 50 is over its maxParallelism 10");

        for (GenericKubernetesResource policy : List.of(small, big)) {
            policy.setAdditionalProperty("status", Map.of("sharedNamespaces", List.of(namespace)));
            server.admin().resource(policy).updateStatus();
        }

        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> server.admissionProblems(namespace, job).isEmpty());
    }
}
