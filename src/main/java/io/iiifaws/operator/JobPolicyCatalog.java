package io.iiifaws.operator;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobPolicy;
import io.iiifaws.api.PolicyAws;
import io.iiifaws.aws.AwsClients;
import io.iiifaws.aws.AwsErrors;
import io.iiifaws.policy.JobPolicies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's IiifJobPolicies and the labels of its namespaces, as informers hold them, and the
 * check of a job against them. Until the informers have listed both, no job is checked: a pass
 * throws, and is retried, rather than run a job under no policy.
 */
final class JobPolicyCatalog {
    private static final Logger log = LoggerFactory.getLogger(JobPolicyCatalog.class);

    /**
     * IiifJobPolicies as stored, whatever they hold; named by their context, so that no discovery
     * call is needed while the API server is away.
     */
    static final ResourceDefinitionContext POLICIES = new ResourceDefinitionContext.Builder()
            .withGroup(IiifJob.GROUP)
            .withVersion(IiifJob.VERSION)
            .withKind("IiifJobPolicy")
            .withPlural(IiifJobPolicy.PLURAL)
            .withNamespaced(false)
            .build();

    /** The longest a pass waits for the policies' first list. */
    private static final Duration LIST_WAIT = Duration.ofSeconds(5);

    private final KubernetesClient client;
    private final boolean commandsWithoutPolicy;
    private volatile SharedIndexInformer<GenericKubernetesResource> policies;
    private volatile SharedIndexInformer<Namespace> namespaces;
    private volatile CompletableFuture<Void> listed = CompletableFuture.completedFuture(null);

    /** @param client null for a cluster without policies, as tests of the runner alone have it */
    JobPolicyCatalog(KubernetesClient client, boolean commandsWithoutPolicy) {
        this.client = client;
        this.commandsWithoutPolicy = commandsWithoutPolicy;
    }

    /** Starts listing and watching policies and namespaces; a failed list is tried again until it passes. */
    synchronized void start() {
        stop();
        if (client == null) {
            return;
        }
        // Generic, so that a policy that does not read is named, not lost.
        policies = client.genericKubernetesResources(POLICIES).runnableInformer(0);
        namespaces = client.namespaces().runnableInformer(0);
        for (SharedIndexInformer<?> informer : List.of(policies, namespaces)) {
            informer.exceptionHandler((started, error) -> {
                log.warn("event=PolicyInformerRetry error=\"{}\"", error.getMessage());
                return true;
            });
        }
        policies.addEventHandler(toldOfChanges());
        namespaces.addEventHandler(toldOfChanges());
        listed = CompletableFuture.allOf(
                policies.start().toCompletableFuture(), namespaces.start().toCompletableFuture());
    }

    private volatile Runnable onChange = () -> {};

    /** Told, on an informer's thread, when a policy or a namespace changed. */
    void onChange(Runnable told) {
        this.onChange = told;
    }

    private <T> io.fabric8.kubernetes.client.informers.ResourceEventHandler<T> toldOfChanges() {
        return new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
            @Override
            public void onAdd(T added) {
                onChange.run();
            }

            @Override
            public void onUpdate(T before, T after) {
                onChange.run();
            }

            @Override
            public void onDelete(T deleted, boolean unknownState) {
                onChange.run();
            }
        };
    }

    synchronized void stop() {
        if (policies != null) {
            policies.stop();
            namespaces.stop();
            policies = null;
            namespaces = null;
        }
    }

    /**
     * The policies' verdict on a job that runs in this region.
     *
     * @throws IllegalStateException while the policies are not yet listed
     */
    JobPolicies.Verdict check(IiifJob job, String region) {
        Map<String, String> unreadable = new TreeMap<>();
        List<IiifJobPolicy> read = read(unreadable);
        String namespace = job.getMetadata().getNamespace();
        var context = new JobPolicies.Context(namespace, labels(namespace), region, commandsWithoutPolicy);
        return JobPolicies.check(job.getSpec(), context, read, unreadable);
    }

    /** The role a job runs under, from the policy that allows it; null for the operator's own identity. */
    static AwsClients.Role role(IiifJob job, JobPolicies.Allowed allowed) {
        Optional<PolicyAws> aws =
                allowed.by().map(p -> p.getSpec() == null ? null : p.getSpec().aws());
        return aws.map(a -> new AwsClients.Role(a.roleArn(), a.externalId(), sessionName(job)))
                .orElse(null);
    }

    /**
     * iiif-aws@NAMESPACE, as CloudTrail shows the calls in the role's account; the job is in each
     * task's tags and startedBy. STS takes 64 characters of [\w+=,.@-].
     */
    static String sessionName(IiifJob job) {
        String name = "iiif-aws@" + job.getMetadata().getNamespace();
        return name.length() <= 64 ? name : name.substring(0, 64);
    }

    private List<IiifJobPolicy> read(Map<String, String> unreadable) {
        var informer = policies;
        if (client == null) {
            return List.of();
        }
        try {
            // Right after a start the lists are on their way: a pass waits for them a little.
            listed.get(LIST_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // told below
        }
        if (informer == null || !informer.hasSynced()) {
            throw new IllegalStateException("the IiifJobPolicies are not listed yet");
        }
        List<IiifJobPolicy> read = new ArrayList<>();
        Map<String, Converted> now = new java.util.HashMap<>();
        for (GenericKubernetesResource stored : informer.getStore().list()) {
            String name = stored.getMetadata().getName();
            Converted known = converted.get(name);
            if (known == null || !known.version().equals(stored.getMetadata().getResourceVersion())) {
                known = convert(stored);
            }
            now.put(name, known);
            if (known.policy() != null) {
                read.add(known.policy());
            } else {
                unreadable.put(name, known.problem());
            }
        }
        converted = now;
        return read;
    }

    /** A stored policy as read once for its resourceVersion: every pass asks, and policies seldom change. */
    private record Converted(String version, IiifJobPolicy policy, String problem) {}

    private volatile Map<String, Converted> converted = Map.of();

    private Converted convert(GenericKubernetesResource stored) {
        String version = String.valueOf(stored.getMetadata().getResourceVersion());
        try {
            return new Converted(
                    version, client.getKubernetesSerialization().convertValue(stored, IiifJobPolicy.class), null);
        } catch (IllegalArgumentException e) {
            String why = AwsErrors.scrub(String.valueOf(e.getMessage()));
            return new Converted(version, null, why.length() > 300 ? why.substring(0, 300) : why);
        }
    }

    private Map<String, String> labels(String name) {
        if (client == null) {
            return Map.of();
        }
        Namespace namespace = namespaces == null ? null : namespaces.getStore().getByKey(name);
        if (namespace == null) {
            // Created a moment ago: the informer has not heard of it yet.
            namespace = client.namespaces().withName(name).get();
        }
        if (namespace == null || namespace.getMetadata().getLabels() == null) {
            return Map.of();
        }
        return namespace.getMetadata().getLabels();
    }

    /**
     * For each policy, the namespaces that it and another policy select, sorted; what the chart's
     * admission policy leaves to the operator.
     */
    static Map<String, List<String>> shared(List<IiifJobPolicy> policies, Map<String, Map<String, String>> labels) {
        Map<String, TreeSet<String>> shared = new LinkedHashMap<>();
        policies.forEach(p -> shared.put(p.name(), new TreeSet<>()));
        for (var namespace : labels.entrySet()) {
            List<String> selecting = policies.stream()
                    .filter(p -> JobPolicies.selects(p.getSpec(), namespace.getValue()))
                    .map(IiifJobPolicy::name)
                    .toList();
            if (selecting.size() > 1) {
                selecting.forEach(p -> shared.get(p).add(namespace.getKey()));
            }
        }
        Map<String, List<String>> sorted = new LinkedHashMap<>();
        shared.forEach((name, set) -> sorted.put(name, List.copyOf(set)));
        return sorted;
    }

    /** Writes each policy's status.sharedNamespaces where it changed. */
    void writeShared() {
        var informer = policies;
        if (client == null || informer == null || !informer.hasSynced() || !namespaces.hasSynced()) {
            return;
        }
        List<IiifJobPolicy> read = read(new TreeMap<>());
        Map<String, Map<String, String>> labels = new TreeMap<>();
        for (Namespace namespace : namespaces.getStore().list()) {
            var given = namespace.getMetadata().getLabels();
            labels.put(namespace.getMetadata().getName(), given == null ? Map.of() : given);
        }
        Map<String, List<String>> shared = shared(read, labels);
        for (IiifJobPolicy policy : read) {
            List<String> now = shared.get(policy.name());
            List<String> recorded =
                    policy.getStatus() == null ? List.of() : policy.getStatus().sharedNamespaces();
            if (now.equals(recorded)) {
                continue;
            }
            // Written as a map: the status record leaves an empty list out, and a merge patch would keep the old one.
            Map<String, Object> status = new LinkedHashMap<>();
            status.put("sharedNamespaces", now);
            status.put("observedGeneration", policy.getMetadata().getGeneration());
            try {
                client.resources(IiifJobPolicy.class)
                        .withName(policy.name())
                        .subresource("status")
                        .patch(
                                PatchContext.of(PatchType.JSON_MERGE),
                                client.getKubernetesSerialization().asJson(Map.of("status", status)));
                log.info("event=PolicyShared policy={} namespaces={}", policy.name(), now.size());
            } catch (KubernetesClientException e) {
                log.warn("event=PolicyStatusFailed policy={} error=\"{}\"", policy.name(), e.getMessage());
            }
        }
    }
}
