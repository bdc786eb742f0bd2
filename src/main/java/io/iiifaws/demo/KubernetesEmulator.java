package io.iiifaws.demo;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * An in-process Kubernetes API (fabric8's mock server in CRUD mode) with the IiifJob CRD installed.
 * It stores and watches resources like an API server, but validates nothing, and it allows every
 * client everything.
 */
public final class KubernetesEmulator implements AutoCloseable {
    /** Where the build puts the generated CRD, in the jar and on the test classpath. */
    public static final String CRD_RESOURCE = "/META-INF/fabric8/" + IiifJob.CRD_NAME + "-v1.yml";

    public static final String POLICY_CRD_RESOURCE = "/META-INF/fabric8/" + IiifJobPolicy.CRD_NAME + "-v1.yml";

    private final KubernetesMockServer server;
    private final KubernetesClient client;

    public KubernetesEmulator() throws IOException {
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server = new KubernetesMockServer(
                new Context(), new MockWebServer(), expectations, new KubernetesMixedDispatcher(expectations), false);
        server.init();
        // Leader election first asks what the client may do; CRUD mode cannot answer that.
        server.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(
                        201,
                        new SelfSubjectRulesReviewBuilder()
                                .withNewStatus()
                                .addNewResourceRule()
                                .withApiGroups("*")
                                .withResources("*")
                                .withVerbs("*")
                                .endResourceRule()
                                .withIncomplete(false)
                                .endStatus()
                                .build())
                .always();
        // So does the operator, one verb at a time.
        server.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
                .andReturn(
                        201,
                        new SelfSubjectAccessReviewBuilder()
                                .withNewStatus()
                                .withAllowed(true)
                                .endStatus()
                                .build())
                .always();
        client = server.createClient();
        for (CustomResourceDefinition crd : crds(client)) {
            client.resource(crd).create();
        }
    }

    /** The IiifJob and IiifJobPolicy CRDs, as the build generated them. */
    public static List<CustomResourceDefinition> crds(KubernetesClient client) throws IOException {
        return List.of(crd(client, CRD_RESOURCE), crd(client, POLICY_CRD_RESOURCE));
    }

    private static CustomResourceDefinition crd(KubernetesClient client, String resource) throws IOException {
        try (InputStream in = KubernetesEmulator.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("a CRD is not on the classpath at " + resource);
            }
            return client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .load(in)
                    .item();
        }
    }

    /** The mock server itself, for answers of the real API server's that it would not give. */
    public KubernetesMockServer server() {
        return server;
    }

    /** A client of the emulated API; the emulator closes it. */
    public KubernetesClient client() {
        return client;
    }

    /** A second, independent client, as another process would have. */
    public KubernetesClient newClient() {
        return server.createClient();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
