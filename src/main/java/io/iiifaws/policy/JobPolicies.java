package io.iiifaws.policy;

import io.iiifaws.api.CapacityProviderStrategyItem;
import io.iiifaws.api.IiifJobPolicy;
import io.iiifaws.api.IiifJobPolicySpec;
import io.iiifaws.api.IiifJobSpec;
import io.iiifaws.api.NamespaceSelector;
import io.iiifaws.api.ProcessSpec;
import io.iiifaws.api.TaskSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Whether the IiifJobPolicies let a job run, from the job, its namespace's labels and the policies
 * alone. A job is allowed when one policy that selects its namespace allows all of it. With no
 * policy at all every job is, but one that replaces go-iiif's command needs the operator's leave.
 * The chart's ValidatingAdmissionPolicy says the same in CEL, field by field.
 */
public final class JobPolicies {
    private JobPolicies() {}

    /** What a check found. */
    public sealed interface Verdict {}

    /** @param by the policy that allows the job; empty when the cluster has none */
    public record Allowed(Optional<IiifJobPolicy> by) implements Verdict {}

    /** @param message names each selecting policy and the first field it does not allow */
    public record Denied(String message) implements Verdict {}

    /**
     * What the check knows besides the job and the policies.
     *
     * @param namespace the job's
     * @param labels the namespace's labels
     * @param region where the job runs: spec.region or the operator's
     * @param commandsWithoutPolicy the operator's leave for spec.process.command when the cluster has
     *     no policy
     */
    public record Context(String namespace, Map<String, String> labels, String region, boolean commandsWithoutPolicy) {}

    /**
     * @param policies the cluster's policies that could be read
     * @param unreadable the names of those that could not, with why: they allow nothing
     */
    public static Verdict check(
            IiifJobSpec spec, Context context, List<IiifJobPolicy> policies, Map<String, String> unreadable) {
        if (policies.isEmpty() && unreadable.isEmpty()) {
            if (customCommand(spec.process()) && !context.commandsWithoutPolicy()) {
                return new Denied("spec.process.command: replacing go-iiif's command needs an IiifJobPolicy that"
                        + " lists it in commands, or the operator's --allow-process-command");
            }
            return new Allowed(Optional.empty());
        }
        List<IiifJobPolicy> selecting = policies.stream()
                .filter(p -> selects(p.getSpec(), context.labels()))
                .sorted(Comparator.comparing(IiifJobPolicy::name))
                .toList();
        List<String> reasons = new ArrayList<>();
        for (IiifJobPolicy policy : selecting) {
            Optional<String> denial = denial(policy.getSpec(), spec, context.region());
            if (denial.isEmpty()) {
                return new Allowed(Optional.of(policy));
            }
            reasons.add("IiifJobPolicy " + policy.name() + ": " + denial.get());
        }
        unreadable.forEach((name, why) -> reasons.add("IiifJobPolicy " + name + " cannot be read (" + why + ")"));
        if (selecting.isEmpty()) {
            List<String> names =
                    new ArrayList<>(policies.stream().map(IiifJobPolicy::name).toList());
            names.addAll(unreadable.keySet());
            reasons.add(
                    0,
                    "no IiifJobPolicy selects namespace " + context.namespace() + " (the cluster has "
                            + String.join(
                                    ", ", names.stream().sorted().limit(10).toList())
                            + (names.size() > 10 ? ", …" : "") + ")");
        }
        return new Denied(String.join("; ", reasons));
    }

    /** Whether the policy's namespaceSelector selects a namespace with these labels. */
    public static boolean selects(IiifJobPolicySpec policy, Map<String, String> labels) {
        NamespaceSelector selector = policy == null ? null : policy.namespaceSelector();
        if (selector == null) {
            return true;
        }
        if (selector.matchLabels() != null) {
            for (var label : selector.matchLabels().entrySet()) {
                if (!label.getValue().equals(labels.get(label.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.matchExpressions() != null) {
            for (NamespaceSelector.SelectorRequirement term : selector.matchExpressions()) {
                List<String> values = term.values() == null ? List.of() : term.values();
                String value = labels.get(term.key());
                boolean met =
                        switch (String.valueOf(term.operator())) {
                            case "In" -> value != null && values.contains(value);
                            case "NotIn" -> value == null || !values.contains(value);
                            case "Exists" -> value != null;
                            case "DoesNotExist" -> value == null;
                            default -> false;
                        };
                if (!met) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The first thing of the job that the policy does not allow, in the order of the spec. */
    static Optional<String> denial(IiifJobPolicySpec policy, IiifJobSpec spec, String region) {
        if (policy == null) {
            return Optional.empty();
        }
        List<String> found = new ArrayList<>();
        if (region != null) {
            allowed(found, "spec.region", region, policy.regions(), "regions", v -> v);
        }
        TaskSpec task = spec.task();
        if (task != null) {
            allowed(
                    found,
                    "spec.task.cluster",
                    task.cluster(),
                    policy.clusters(),
                    "clusters",
                    JobPolicies::clusterName);
            allowed(
                    found,
                    "spec.task.taskDefinition",
                    task.taskDefinition(),
                    policy.taskDefinitions(),
                    "taskDefinitions",
                    JobPolicies::family);
            allowed(found, "spec.task.container", task.container(), policy.containers(), "containers", v -> v);
            if (task.launchType() != null
                    && policy.launchTypes() != null
                    && !policy.launchTypes().contains(task.launchType())) {
                found.add("spec.task.launchType " + task.launchType() + " is not among its launchTypes "
                        + policy.launchTypes());
            }
            for (CapacityProviderStrategyItem item : task.capacityProviderStrategy()) {
                allowed(
                        found,
                        "spec.task.capacityProviderStrategy",
                        item.capacityProvider(),
                        policy.capacityProviders(),
                        "capacityProviders",
                        v -> v);
            }
        }
        for (String subnet : spec.network().subnets()) {
            allowed(found, "spec.network.subnets", subnet, policy.subnets(), "subnets", v -> v);
        }
        for (String group : spec.network().securityGroups()) {
            allowed(found, "spec.network.securityGroups", group, policy.securityGroups(), "securityGroups", v -> v);
        }
        if (spec.lambda() != null) {
            allowed(
                    found,
                    "spec.lambda.functionName",
                    spec.lambda().functionName(),
                    policy.functions(),
                    "functions",
                    JobPolicies::functionName);
        }
        if (policy.buckets() != null) {
            ProcessSpec process = spec.process();
            file(found, "spec.process.config", process.config(), policy.buckets());
            file(found, "spec.process.instructions", process.instructions(), policy.buckets());
            if (process.reports() != null) {
                allowed(
                        found,
                        "spec.process.reports",
                        bucketOf(process.reports()),
                        policy.buckets(),
                        "buckets",
                        v -> v);
            }
            if (spec.source() != null && spec.source().s3() != null) {
                allowed(
                        found,
                        "spec.source.s3.bucket",
                        spec.source().s3().bucket(),
                        policy.buckets(),
                        "buckets",
                        v -> v);
            }
            if (spec.source() != null && spec.source().manifest() != null) {
                String uri = spec.source().manifest().uri();
                allowed(found, "spec.source.manifest.uri", bucketOf(uri), policy.buckets(), "buckets", v -> v);
            }
        }
        if (customCommand(spec.process())
                && (policy.commands() == null
                        || policy.commands().stream()
                                .noneMatch(prefix -> startsWith(spec.process().command(), prefix)))) {
            found.add("spec.process.command " + spec.process().command() + " does not start with any of its commands "
                    + (policy.commands() == null ? "(none)" : policy.commands()));
        }
        if (policy.maxParallelism() != null && spec.parallelism() > policy.maxParallelism()) {
            found.add("spec.parallelism " + spec.parallelism() + " is over its maxParallelism "
                    + policy.maxParallelism());
        }
        if (policy.maxUris() != null && spec.uris().size() > policy.maxUris()) {
            found.add("spec.uris has " + spec.uris().size() + " URIs, over its maxUris " + policy.maxUris());
        }
        return found.stream().findFirst();
    }

    /** A job whose source lists more images than the policy it runs under allows. */
    public static Optional<String> tooManyListed(IiifJobPolicy policy, long listed) {
        Integer most = policy.getSpec() == null ? null : policy.getSpec().maxUris();
        if (most == null || listed <= most) {
            return Optional.empty();
        }
        return Optional.of("IiifJobPolicy " + policy.name() + ": spec.source lists more than its maxUris " + most
                + " images (" + listed + " so far)");
    }

    static boolean customCommand(ProcessSpec process) {
        return !process.command().equals(ProcessSpec.DEFAULT_COMMAND);
    }

    private static boolean startsWith(List<String> command, List<String> prefix) {
        return prefix != null
                && prefix.size() <= command.size()
                && command.subList(0, prefix.size()).equals(prefix);
    }

    /**
     * A go-iiif config or instructions file: a path in the container or a file:// URI is the image's
     * own; an s3:// URI must name an allowed bucket; another blob store is not allowed.
     */
    private static void file(List<String> found, String field, String value, List<String> buckets) {
        if (value.startsWith("s3://")) {
            allowed(found, field, bucketOf(value), buckets, "buckets", v -> v);
        } else if (value.contains("://") && !value.startsWith("file://")) {
            found.add(field + " " + quote(value) + " is neither a file in the container nor in its buckets");
        }
    }

    private static void allowed(
            List<String> found,
            String field,
            String value,
            List<String> patterns,
            String listName,
            UnaryOperator<String> name) {
        if (value == null || patterns == null) {
            return;
        }
        for (String pattern : patterns) {
            if (glob(pattern, value) || (!pattern.startsWith("arn:") && glob(pattern, name.apply(value)))) {
                return;
            }
        }
        found.add(field + " " + quote(value) + " is not among its " + listName + " " + shown(patterns));
    }

    /** A pattern matches the whole value; * stands for any run of characters. */
    static boolean glob(String pattern, String value) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            if (!part.isEmpty()) {
                regex.append(Pattern.quote(part));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(value).matches();
    }

    static String clusterName(String value) {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    static String family(String value) {
        return value.substring(value.lastIndexOf('/') + 1).split(":", -1)[0];
    }

    static String functionName(String value) {
        int at = value.indexOf("function:");
        return (at >= 0 ? value.substring(at + "function:".length()) : value).split(":", -1)[0];
    }

    /** The bucket of s3://bucket/key or s3://bucket?region=R. */
    static String bucketOf(String uri) {
        String rest = uri.startsWith("s3://") ? uri.substring(5) : uri;
        return rest.split("/", -1)[0].split("\\?", -1)[0];
    }

    private static String quote(String value) {
        String shown = value.length() > 200 ? value.substring(0, 200) + "…" : value;
        return "\"" + shown + "\"";
    }

    private static String shown(List<String> patterns) {
        if (patterns.isEmpty()) {
            return "(none)";
        }
        return patterns.size() <= 10 ? patterns.toString() : patterns.subList(0, 10) + "…";
    }
}
