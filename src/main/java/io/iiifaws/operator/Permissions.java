package io.iiifaws.operator;

import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.iiifaws.api.IiifJob;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the operator may need to do on the API server, asked of the API server itself with
 * SelfSubjectAccessReviews (which every authenticated identity may create) before the operator
 * starts reconciling. Each is one verb of the chart's RBAC rules.
 */
public final class Permissions {
    /** One verb on one resource, in one namespace or (null) in all of them. */
    public record Permission(String verb, String group, String resource, String subresource, String namespace) {
        @Override
        public String toString() {
            return verb + " " + resource + (group.isEmpty() ? "" : "." + group)
                    + (subresource == null ? "" : "/" + subresource)
                    + (namespace == null ? " in all namespaces" : " in namespace " + namespace);
        }
    }

    private Permissions() {}

    /**
     * The operator's verbs: it watches jobs, patches their finalizers (re-reading a job when a patch
     * conflicts) and status, deletes them after ttlSecondsAfterFinished and records Events; it reads
     * IiifJobPolicies and namespaces' labels, and writes the policies' status; with
     * leader election it reads, creates and renews its Lease (JOSDK asks for update too).
     */
    public static List<Permission> needed(Set<String> namespaces, Optional<String> leaseNamespace) {
        List<Permission> needed = new ArrayList<>();
        List<String> where = namespaces.isEmpty()
                ? Collections.singletonList(null)
                : namespaces.stream().sorted().toList();
        for (String namespace : where) {
            for (String verb : List.of("get", "list", "watch", "patch", "delete")) {
                needed.add(new Permission(verb, IiifJob.GROUP, IiifJob.PLURAL, null, namespace));
            }
            needed.add(new Permission("patch", IiifJob.GROUP, IiifJob.PLURAL, "status", namespace));
            needed.add(new Permission("create", "events.k8s.io", "events", null, namespace));
        }
        for (String verb : List.of("list", "watch")) {
            needed.add(new Permission(verb, IiifJob.GROUP, io.iiifaws.api.IiifJobPolicy.PLURAL, null, null));
            needed.add(new Permission(verb, "", "namespaces", null, null));
        }
        needed.add(new Permission("get", "", "namespaces", null, null));
        needed.add(new Permission("patch", IiifJob.GROUP, io.iiifaws.api.IiifJobPolicy.PLURAL, "status", null));
        leaseNamespace.ifPresent(namespace -> {
            for (String verb : List.of("get", "create", "update", "patch")) {
                needed.add(new Permission(verb, "coordination.k8s.io", "leases", null, namespace));
            }
        });
        return needed;
    }

    /**
     * Those of the permissions the API server says this client's identity does not have.
     *
     * @throws KubernetesClientException when the API server cannot be asked or gives no answer
     */
    public static List<Permission> missing(KubernetesClient client, List<Permission> needed) {
        List<Permission> missing = new ArrayList<>();
        for (Permission permission : needed) {
            var review = new SelfSubjectAccessReviewBuilder()
                    .withNewSpec()
                    .withNewResourceAttributes()
                    .withVerb(permission.verb())
                    .withGroup(permission.group())
                    .withResource(permission.resource())
                    .withSubresource(permission.subresource())
                    .withNamespace(permission.namespace())
                    .endResourceAttributes()
                    .endSpec()
                    .build();
            var answer = client.authorization().v1().selfSubjectAccessReview().create(review);
            if (answer.getStatus() == null) {
                throw new KubernetesClientException(
                        "the API server answered a SelfSubjectAccessReview without a status");
            }
            if (!Boolean.TRUE.equals(answer.getStatus().getAllowed())) {
                missing.add(permission);
            }
        }
        return missing;
    }

    /** The API server's own words for a refusal, without fabric8's wrapping. */
    public static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage()
                : e.getMessage();
    }

    /** Who the API server takes this client for, for messages; empty if it will not say. */
    public static Optional<String> identity(KubernetesClient client) {
        try {
            SelfSubjectReview review =
                    client.authentication().v1().selfSubjectReviews().create(new SelfSubjectReview());
            return Optional.ofNullable(review.getStatus())
                    .map(s -> s.getUserInfo())
                    .map(UserInfo::getUsername);
        } catch (KubernetesClientException e) {
            return Optional.empty();
        }
    }
}
