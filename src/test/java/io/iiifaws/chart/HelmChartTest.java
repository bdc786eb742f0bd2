package io.iiifaws.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.iiifaws.operator.Permissions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The chart, linted and rendered with Helm's own library; each test checks one promise. */
class HelmChartTest {
    static final Path CHART = Path.of("charts/iiif-aws");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<JsonNode> render(UnaryOperator<TemplateCommand> values) throws IOException {
        TemplateCommand template = new Helm(CHART)
                .template()
                .withName("iiif")
                .withNamespace("iiif-system")
                .withKubeVersion("1.30.0");
        String output = values.apply(template).call();
        List<JsonNode> documents = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(output)) {
            var it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.has("kind")) {
                    documents.add(doc);
                }
            }
        }
        return documents;
    }

    static List<JsonNode> ofKind(List<JsonNode> documents, String kind) {
        return documents.stream()
                .filter(d -> d.path("kind").asText().equals(kind))
                .toList();
    }

    static JsonNode deployment(List<JsonNode> documents) {
        return ofKind(documents, "Deployment").get(0);
    }

    static List<String> args(JsonNode deployment) {
        List<String> args = new ArrayList<>();
        deployment.at("/spec/template/spec/containers/0/args").forEach(a -> args.add(a.asText()));
        return args;
    }

    @Test
    void lintsStrictly() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void theChartsCrdsAreTheGeneratedOnes() throws IOException {
        for (String name : io.iiifaws.api.CrdWriter.FILE_NAMES) {
            assertThat(Files.readString(CHART.resolve("crds/" + name)))
                    .as("charts/iiif-aws/crds is out of date; copy crds/%s there", name)
                    .isEqualTo(Files.readString(Path.of("crds", name)));
        }
    }

    @Test
    void rbacGrantsOnlyTheVerbsTheOperatorUses() throws IOException {
        List<JsonNode> documents = render(t -> t);
        List<String> rules = new ArrayList<>();
        for (JsonNode clusterRole : ofKind(documents, "ClusterRole")) {
            clusterRole
                    .path("rules")
                    .forEach(r -> rules.add(
                            r.path("apiGroups").get(0).asText() + " " + r.path("resources") + " " + r.path("verbs")));
        }
        assertThat(rules)
                .containsExactly(
                        "iiif-aws.io [\"iiifjobs\"] [\"get\",\"list\",\"watch\",\"patch\",\"delete\"]",
                        "iiif-aws.io [\"iiifjobs/status\"] [\"patch\"]",
                        "events.k8s.io [\"events\"] [\"create\"]",
                        "iiif-aws.io [\"iiifjobpolicies\"] [\"list\",\"watch\"]",
                        "iiif-aws.io [\"iiifjobpolicies/status\"] [\"patch\"]",
                        " [\"namespaces\"] [\"get\",\"list\",\"watch\"]");
        JsonNode leaseRole = ofKind(documents, "Role").get(0);
        assertThat(leaseRole.at("/metadata/namespace").asText()).isEqualTo("iiif-system");
        assertThat(leaseRole.at("/rules/0/resources/0").asText()).isEqualTo("leases");
        assertThat(leaseRole.at("/rules/0/verbs").toString()).isEqualTo("[\"get\",\"create\",\"update\",\"patch\"]");
        assertThat(ofKind(documents, "ClusterRoleBinding")
                        .get(0)
                        .at("/subjects/0/name")
                        .asText())
                .isEqualTo("iiif-iiif-aws");
        assertThat(documents.stream().map(JsonNode::toString)).noneMatch(d -> d.contains("\"*\""));
    }

    @Test
    void watchingNamespacesMakesRolesInThemAndNoClusterRole() throws IOException {
        List<JsonNode> documents =
                render(t -> t.set("watchNamespaces[0]", "museum").set("watchNamespaces[1]", "library"));
        assertThat(ofKind(documents, "ClusterRole"))
                .as("policies and namespaces are read cluster-wide, whatever the operator watches")
                .extracting(r -> r.at("/metadata/name").asText())
                .containsExactly("iiif-iiif-aws-policies");
        assertThat(ofKind(documents, "ClusterRoleBinding")).hasSize(1);
        assertThat(ofKind(documents, "Role"))
                .extracting(r -> r.at("/metadata/namespace").asText() + "/"
                        + r.at("/metadata/name").asText())
                .containsExactlyInAnyOrder(
                        "museum/iiif-iiif-aws", "library/iiif-iiif-aws", "iiif-system/iiif-iiif-aws-leader-election");
        assertThat(ofKind(documents, "RoleBinding")).hasSize(3);
        assertThat(args(deployment(documents))).contains("--namespace=museum,library");
    }

    @Test
    void theRulesGrantExactlyWhatTheOperatorChecksFor() throws IOException {
        List<JsonNode> documents =
                render(t -> t.set("watchNamespaces[0]", "museum").set("watchNamespaces[1]", "library"));
        Set<Permissions.Permission> granted = new HashSet<>();
        List<JsonNode> roles = new ArrayList<>(ofKind(documents, "Role"));
        roles.addAll(ofKind(documents, "ClusterRole"));
        for (JsonNode role : roles) {
            for (JsonNode rule : role.path("rules")) {
                for (JsonNode resource : rule.path("resources")) {
                    String[] parts = resource.asText().split("/", 2);
                    rule.path("verbs")
                            .forEach(verb -> granted.add(new Permissions.Permission(
                                    verb.asText(),
                                    rule.at("/apiGroups/0").asText(),
                                    parts[0],
                                    parts.length > 1 ? parts[1] : null,
                                    role.at("/metadata/namespace").isMissingNode()
                                            ? null
                                            : role.at("/metadata/namespace").asText())));
                }
            }
        }
        assertThat(granted)
                .containsExactlyInAnyOrderElementsOf(
                        Permissions.needed(Set.of("museum", "library"), Optional.of("iiif-system")));
    }

    @Test
    void thePodIsHardened() throws IOException {
        JsonNode pod = deployment(render(t -> t)).at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        JsonNode container = pod.at("/containers/0/securityContext");
        assertThat(container.at("/allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.at("/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/runAsNonRoot").asBoolean()).isTrue();
        assertThat(container.at("/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(container.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(pod.at("/containers/0/resources/limits/memory").asText()).isEqualTo("768Mi");
        assertThat(pod.at("/containers/0/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
        assertThat(pod.at("/containers/0/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    }

    @Test
    void theOperatorsFlagsComeFromTheValues() throws IOException {
        JsonNode plain = deployment(render(t -> t));
        assertThat(args(plain))
                .noneMatch(a -> a.startsWith("--ecs-rate")
                        || a.startsWith("--reports")
                        || a.startsWith("--poll-interval")
                        || a.startsWith("--task-events-queue"));

        String queue = "https://sqs.us-east-1.amazonaws.com/123456789012/iiif-aws-task-events";
        JsonNode set = deployment(render(t -> t.set("ecsRates.runTask", "8/8")
                .set("ecsRates.describeTasks", "10")
                .set("reports", "s3://museum-iiif/reports/")
                .set("pollInterval", "10m")
                .set("taskEvents.queueUrl", queue)));
        assertThat(args(set))
                .contains(
                        "--ecs-rate=runTask=8/8",
                        "--ecs-rate=describeTasks=10",
                        "--reports=s3://museum-iiif/reports/",
                        "--poll-interval=10m",
                        "--task-events-queue=" + queue);
        assertThatThrownBy(() -> render(t -> t.set("ecsRates.runTasks", "8"))).hasMessageContaining("ecsRates");
    }

    @Test
    void twoReplicasRunWithLeaderElectionAndOneWithoutItMayNot() throws IOException {
        JsonNode deployment = deployment(render(t -> t));
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(args(deployment)).contains("--leader-election", "--lease-name=iiif-aws-operator");

        JsonNode single = deployment(render(t -> t.set("replicaCount", 1).set("leaderElection.enabled", false)));
        assertThat(args(single)).doesNotContain("--leader-election");
        assertThatThrownBy(() -> render(t -> t.set("replicaCount", 3).set("leaderElection.enabled", false)))
                .hasMessageContaining("replicaCount above 1 needs leaderElection.enabled");
    }

    @Test
    void theServiceAccountCarriesTheIamRoleAnnotation() throws IOException {
        String role = "arn:aws:iam::123456789012:role/iiif-aws-operator";
        List<JsonNode> documents = render(t -> t.set("serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn", role)
                .set("aws.region", "eu-west-1"));
        JsonNode account = ofKind(documents, "ServiceAccount").get(0);
        assertThat(account.at("/metadata/annotations")
                        .path("eks.amazonaws.com/role-arn")
                        .asText())
                .isEqualTo(role);
        JsonNode env = deployment(documents).at("/spec/template/spec/containers/0/env");
        assertThat(env.toString()).contains("{\"name\":\"AWS_REGION\",\"value\":\"eu-west-1\"}");
        assertThat(deployment(documents)
                        .at("/spec/template/spec/serviceAccountName")
                        .asText())
                .isEqualTo("iiif-iiif-aws");
    }

    @Test
    void metricsHaveAServiceAndOptionallyAServiceMonitor() throws IOException {
        List<JsonNode> plain = render(t -> t);
        assertThat(ofKind(plain, "Service"))
                .singleElement()
                .satisfies(s -> assertThat(s.at("/spec/ports/0/port").asInt()).isEqualTo(8080));
        assertThat(ofKind(plain, "ServiceMonitor")).isEmpty();

        List<JsonNode> monitored = render(t ->
                t.set("metrics.serviceMonitor.enabled", true).set("metrics.serviceMonitor.labels.release", "prom"));
        JsonNode monitor = ofKind(monitored, "ServiceMonitor").get(0);
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prom");
    }

    @Test
    void valuesThatBreakTheSchemaAreRefused() throws Exception {
        assertThatThrownBy(() -> render(t -> t.set("logFormat", "xml"))).hasMessageContaining("logFormat");
        assertThatThrownBy(() -> render(t -> t.set("watchNamespaces[0]", "Not_A_Namespace")))
                .hasMessageContaining("watchNamespaces");
        assertThatThrownBy(() -> render(t -> t.set("pollInterval", "soon"))).hasMessageContaining("pollInterval");
        // Faster than once a second would only spend the account's ECS rate.
        for (String tooFast : List.of("0s", "500ms", "999ms")) {
            assertThatThrownBy(() -> render(t -> t.set("pollInterval", tooFast)))
                    .as(tooFast)
                    .hasMessageContaining("pollInterval");
        }
        assertThat(render(t -> t.set("pollInterval", "1000ms"))).isNotEmpty();
        assertThatThrownBy(() -> render(t -> t.set("taskEvents.queueUrl", "iiif-aws-task-events")))
                .hasMessageContaining("queueUrl");
        assertThatThrownBy(() -> render(t -> t.set("reports", "s3blob://museum/reports")))
                .hasMessageContaining("reports");
        assertThatThrownBy(() -> render(t -> t.set("replicas", 2))).hasMessageContaining("replicas");
    }
}
