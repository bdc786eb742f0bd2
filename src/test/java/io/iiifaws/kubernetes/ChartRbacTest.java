package io.iiifaws.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.Phase;
import io.iiifaws.operator.HealthServer;
import io.iiifaws.operator.IiifJobOperator;
import io.iiifaws.operator.Permissions;
import io.iiifaws.testing.ApiCalls;
import io.iiifaws.testing.OperatorHarness;
import io.iiifaws.testing.RealApiServer;
import io.iiifaws.testing.Specs;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The chart's RBAC on a real API server: its ServiceAccount, roles and bindings rendered by Helm
 * and applied, the operator run with a token of that service account (from the TokenRequest API,
 * as a pod gets it). No request of a job's whole life may be refused; with any one verb taken
 * from the rules, the operator says which, and reconciles nothing until it is granted.
 */
class ChartRbacTest {
    static final String LEASE = "iiif-aws-operator";

    OperatorHarness h;
    RealApiServer server;
    /** The namespace the chart is installed in: its ServiceAccount, the Lease. */
    String releaseNamespace;

    String release;
    final ApiCalls calls = new ApiCalls();
    final ListAppender<ILoggingEvent> log = new ListAppender<>();

    @BeforeEach
    void start() throws Exception {
        h = OperatorHarness.onRealApiServer();
        server = h.real();
        releaseNamespace = server.newNamespace("iiif-system");
        release = "r" + UUID.randomUUID().toString().substring(0, 8);
        log.start();
        ((Logger) LoggerFactory.getLogger("io.iiifaws")).addAppender(log);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger("io.iiifaws")).detachAppender(log);
        h.close();
    }

    /** The chart's ServiceAccount, roles and bindings, as Helm renders them for this release. */
    static List<HasMetadata> chartRbac(
            RealApiServer server, String release, String namespace, List<String> watchNamespaces) {
        TemplateCommand template = new Helm(Path.of("charts/iiif-aws"))
                .template()
                .withName(release)
                .withNamespace(namespace)
                .withKubeVersion(server.admin().getKubernetesVersion().getGitVersion());
        for (int i = 0; i < watchNamespaces.size(); i++) {
            template = template.set("watchNamespaces[" + i + "]", watchNamespaces.get(i));
        }
        Set<String> kinds = Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
        return server.load(template.call()).stream()
                .filter(o -> kinds.contains(o.getKind()))
                .toList();
    }

    /** Installs the chart's RBAC, changed by {@code change}, and returns a token of its service account. */
    String install(List<String> watchNamespaces, UnaryOperator<List<HasMetadata>> change) {
        List<HasMetadata> rbac = change.apply(chartRbac(server, release, releaseNamespace, watchNamespaces));
        server.apply(rbac);
        return server.tokenFor(releaseNamespace, release + "-iiif-aws");
    }

    IiifJobOperator operatorAs(String token, String instance, Set<String> namespaces) {
        var config = h.config(instance).withNamespaces(namespaces).withApiCheck(Duration.ofMillis(500));
        var electing = new IiifJobOperator.Config(
                config.namespaces(),
                instance,
                config.settings(),
                Optional.of(LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE)
                        .withLeaseNamespace(releaseNamespace)
                        .withIdentity(instance)
                        .withLeaseDuration(Duration.ofSeconds(4))
                        .withRenewDeadline(Duration.ofSeconds(3))
                        .withRetryPeriod(Duration.ofMillis(500))
                        .withExitOnStopLeading(false)
                        .build()),
                config.josdkMetrics(),
                config.jobMetrics(),
                true,
                config.apiCheck());
        return h.startOperator(electing, server.clientWithToken(token, releaseNamespace, calls));
    }

    /** Calls of the operator's that the API server answered, as "METHOD resource" with names left out. */
    List<String> verbsUsed() {
        return calls.all().stream()
                .filter(c -> c.code() / 100 == 2 || c.code() == 101)
                .map(c -> c.method() + " "
                        + c.path()
                                .replaceAll("/namespaces/[^/]+", "")
                                .replaceAll("/(iiifjobs|leases)/[^/]+", "/$1/NAME"))
                .distinct()
                .sorted()
                .toList();
    }

    @Test
    void withTheChartsClusterRoleTheOperatorRunsJobsThroughTheirWholeLife() {
        IiifJobOperator operator = operatorAs(install(List.of(), rules -> rules), "only", Set.of());
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(operator::isLeader);

        h.create(h.taskJob("done", "a.jpg", "b.jpg"));
        h.create(Specs.with(h.taskJob("expiring", "a.jpg"), "ttlSecondsAfterFinished", 1));
        assertThat(h.awaitFinished("done").getStatus().phase()).isEqualTo(Phase.Succeeded);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> h.job("expiring") == null);
        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("deleted", "a.jpg"));
        IiifJob running = h.await(
                "deleted",
                j -> j.getStatus() != null
                        && j.getStatus().active() != null
                        && j.getStatus().active() == 1);
        h.client().resource(running).delete();
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> h.job("deleted") == null);

        assertThat(calls.forbidden()).isEmpty();
        assertThat(operator.missingPermissions()).isEmpty();
        assertThat(verbsUsed())
                .contains(
                        "GET /apis/iiif-aws.io/v1alpha1/iiifjobs",
                        "PATCH /apis/iiif-aws.io/v1alpha1/iiifjobs/NAME",
                        "PATCH /apis/iiif-aws.io/v1alpha1/iiifjobs/NAME/status",
                        "DELETE /apis/iiif-aws.io/v1alpha1/iiifjobs/NAME",
                        "POST /apis/events.k8s.io/v1/events",
                        "POST /apis/coordination.k8s.io/v1/leases",
                        "PATCH /apis/coordination.k8s.io/v1/leases/NAME");
        assertThat(h.motoEcs
                        .describeTasks(r -> r.cluster(h.cluster)
                                .tasks(running.getStatus().tasks().get(0).taskArn()))
                        .tasks()
                        .get(0)
                        .lastStatus())
                .isEqualTo("STOPPED");
    }

    @Test
    void withTheChartsNamespacedRolesAStandbyReplicaTakesOverAJob() {
        String token = install(List.of(h.namespace), rules -> rules);
        IiifJobOperator first = operatorAs(token, "first", Set.of(h.namespace));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(first::isLeader);
        IiifJobOperator second = operatorAs(token, "second", Set.of(h.namespace));
        h.aws.holdRunning(task -> true);
        h.create(h.taskJob("handed-over", "a.jpg"));
        h.await(
                "handed-over",
                j -> j.getStatus() != null
                        && j.getStatus().active() != null
                        && j.getStatus().active() == 1);

        first.close();
        Awaitility.await().atMost(Duration.ofSeconds(40)).until(second::isLeader);
        h.aws.holdRunning(task -> false);

        assertThat(h.awaitFinished("handed-over").getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(h.aws.calls("RunTask")).isEqualTo(1);
        assertThat(calls.forbidden()).isEmpty();
        assertThat(second.missingPermissions()).isEmpty();
    }

    /** Every verb of every rule the chart renders, as (role, resource, verb). */
    static Stream<Arguments> everyVerbOfTheRules() {
        RealApiServer server = RealApiServer.get();
        List<Arguments> verbs = new ArrayList<>();
        for (HasMetadata item : chartRbac(server, "verbs", "iiif-system", List.of("museum"))) {
            for (PolicyRule rule : rulesOf(item)) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        verbs.add(Arguments.of(
                                item.getMetadata().getName().replace("verbs-iiif-aws", "ROLE"), resource, verb));
                    }
                }
            }
        }
        return verbs.stream();
    }

    @ParameterizedTest(name = "{1} {2} ({0})")
    @MethodSource("everyVerbOfTheRules")
    void withoutOneVerbTheOperatorSaysWhichAndLaunchesNothing(String role, String resource, String verb)
            throws Exception {
        String token = install(
                List.of(h.namespace),
                rules -> without(rules, role.replace("ROLE", release + "-iiif-aws"), resource, verb));
        h.create(h.taskJob("waiting", "a.jpg"));

        IiifJobOperator operator = operatorAs(token, "lacking", Set.of(h.namespace));

        String[] parts = resource.split("/", 2);
        String group = resource.startsWith("iiifjob")
                ? IiifJob.GROUP
                : switch (resource) {
                    case "events" -> "events.k8s.io";
                    case "namespaces" -> "";
                    default -> "coordination.k8s.io";
                };
        boolean clusterWide = resource.startsWith("iiifjobpolicies") || resource.equals("namespaces");
        var lacking = new Permissions.Permission(
                verb,
                group,
                parts[0],
                parts.length > 1 ? parts[1] : null,
                clusterWide ? null : resource.equals("leases") ? releaseNamespace : h.namespace);
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> operator.missingPermissions()
                .equals(List.of(lacking)));
        assertThat(log.list).anySatisfy(line -> assertThat(line.getFormattedMessage())
                .contains(
                        "event=PermissionsMissing",
                        "identity=system:serviceaccount:" + releaseNamespace + ":" + release + "-iiif-aws",
                        "missing=\"" + lacking + "\""));
        try (HealthServer health =
                new HealthServer(0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), operator)) {
            HttpResponse<String> ready = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + "/readyz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).isEqualTo("not ready: the operator may not " + lacking + "\n");
        }
        assertThat(h.aws.calls("RunTask")).isZero();
        assertThat(h.job("waiting").getStatus()).isNull();
    }

    @Test
    void onceTheMissingVerbIsGrantedTheOperatorStartsOfItself() {
        String token = install(
                List.of(h.namespace), rules -> without(rules, release + "-iiif-aws", "iiifjobs/status", "patch"));
        h.create(h.taskJob("granted", "a.jpg"));
        IiifJobOperator operator = operatorAs(token, "patient", Set.of(h.namespace));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !operator.missingPermissions()
                .isEmpty());

        server.apply(chartRbac(server, release, releaseNamespace, List.of(h.namespace)));

        assertThat(h.awaitFinished("granted").getStatus().phase()).isEqualTo(Phase.Succeeded);
        assertThat(operator.missingPermissions()).isEmpty();
        assertThat(log.list)
                .anySatisfy(line -> assertThat(line.getFormattedMessage()).contains("event=PermissionsGranted"));
    }

    @Test
    void aVerbRevokedWhileTheOperatorRunsStopsItUntilGrantedAgain() {
        String token = install(List.of(h.namespace), rules -> rules);
        IiifJobOperator operator = operatorAs(token, "revoked", Set.of(h.namespace));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(operator::isLeader);
        h.create(h.taskJob("before", "a.jpg"));
        h.awaitFinished("before");

        server.apply(without(
                chartRbac(server, release, releaseNamespace, List.of(h.namespace)),
                release + "-iiif-aws",
                "iiifjobs/status",
                "patch"));
        h.create(h.taskJob("after", "a.jpg"));

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !operator.missingPermissions()
                .isEmpty());
        assertThat(operator.missingPermissions())
                .extracting(Object::toString)
                .containsExactly("patch iiifjobs.iiif-aws.io/status in namespace " + h.namespace);
        assertThat(log.list).anySatisfy(line -> assertThat(line.getFormattedMessage())
                .contains("event=Forbidden", "iiifjobs/status"));
        assertThat(calls.forbidden()).isNotEmpty().allSatisfy(c -> assertThat(c.path())
                .endsWith("/after/status"));
        int launched = h.aws.calls("RunTask");

        server.apply(chartRbac(server, release, releaseNamespace, List.of(h.namespace)));

        assertThat(h.awaitFinished("after").getStatus().phase()).isEqualTo(Phase.Succeeded);
        // Nothing was launched while no status could record the job's start; once it could, one task.
        assertThat(launched).isEqualTo(1);
        assertThat(h.aws.calls("RunTask")).isEqualTo(launched + 1);
        assertThat(h.job("after").getStatus().tasks()).hasSize(1);
    }

    /** The rules of a Role or ClusterRole; none for other objects. */
    static List<PolicyRule> rulesOf(HasMetadata item) {
        return item instanceof Role role
                ? role.getRules()
                : item instanceof ClusterRole role ? role.getRules() : List.of();
    }

    /** The rules with one verb taken from one resource of the named role. */
    static List<HasMetadata> without(List<HasMetadata> rbac, String roleName, String resource, String verb) {
        for (HasMetadata item : rbac) {
            List<PolicyRule> rules = rulesOf(item);
            if (!item.getMetadata().getName().equals(roleName) || rules.isEmpty()) {
                continue;
            }
            List<PolicyRule> changed = new ArrayList<>();
            for (PolicyRule rule : rules) {
                if (!rule.getResources().contains(resource)) {
                    changed.add(rule);
                    continue;
                }
                List<String> others = rule.getResources().stream()
                        .filter(r -> !r.equals(resource))
                        .toList();
                if (!others.isEmpty()) {
                    changed.add(new PolicyRule(
                            rule.getApiGroups(),
                            rule.getNonResourceURLs(),
                            rule.getResourceNames(),
                            others,
                            rule.getVerbs()));
                }
                List<String> verbs =
                        rule.getVerbs().stream().filter(v -> !v.equals(verb)).toList();
                if (!verbs.isEmpty()) {
                    changed.add(new PolicyRule(
                            rule.getApiGroups(),
                            rule.getNonResourceURLs(),
                            rule.getResourceNames(),
                            List.of(resource),
                            verbs));
                }
            }
            rules.clear();
            rules.addAll(changed);
        }
        return rbac;
    }
}
