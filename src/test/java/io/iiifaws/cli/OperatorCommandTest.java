package io.iiifaws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The operator command as a user starts it, against an API server that lets it do too little. */
class OperatorCommandTest {
    @Test
    void aStartThatCannotSucceedSaysWhyInEveryCauseOnALineOfItsOwn() throws Exception {
        Map<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>
                expectations = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(), new MockWebServer(), expectations, new KubernetesMixedDispatcher(expectations), false);
        server.init();
        // The role may read and create leases, not update them.
        server.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(
                        201,
                        new SelfSubjectRulesReviewBuilder()
                                .withNewStatus()
                                .addNewResourceRule()
                                .withApiGroups("coordination.k8s.io")
                                .withResources("leases")
                                .withVerbs("get", "create")
                                .endResourceRule()
                                .withIncomplete(false)
                                .endStatus()
                                .build())
                .always();
        Map<String, String> saved = new HashMap<>();
        for (var property : Map.of(
                        "kubernetes.master",
                        server.url("/"),
                        "kubernetes.auth.tryKubeConfig",
                        "false",
                        "kubernetes.auth.tryServiceAccount",
                        "false",
                        "kubernetes.namespace",
                        "test")
                .entrySet()) {
            saved.put(property.getKey(), System.getProperty(property.getKey()));
            System.setProperty(property.getKey(), property.getValue());
        }
        try {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream stderr = System.err;
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status;
            try {
                status = Main.run(
                        Map.of(),
                        System.out,
                        System.err,
                        "operator",
                        "--leader-election",
                        "--lease-namespace",
                        "test",
                        "--http-port",
                        "0",
                        "--namespace",
                        "test");
            } finally {
                System.setErr(stderr);
            }

            assertThat(status).isEqualTo(1);
            List<String> lines = err.toString(StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.contains(" WARN ") && !l.contains(" INFO "))
                    .toList();
            assertThat(lines.get(0)).isEqualTo("iiif-aws operator: cannot start");
            assertThat(lines)
                    .anySatisfy(l -> assertThat(l).startsWith("  ").contains("missing required verbs: [update]"));
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
            server.destroy();
        }
    }
}
