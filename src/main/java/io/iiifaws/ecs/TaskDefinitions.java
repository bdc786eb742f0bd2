package io.iiifaws.ecs;

import io.iiifaws.aws.AwsErrors;
import io.iiifaws.goiiif.ProcessCommand;
import io.iiifaws.goiiif.ReportLocation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;

/**
 * The container definitions of task definitions, as DescribeTaskDefinition gives them, cached: a
 * revision never changes, and a family alone (its latest revision) is asked again after a while.
 */
public final class TaskDefinitions {
    /** How long the latest revision of a family is taken to stay the latest. */
    static final Duration FAMILY_TTL = Duration.ofMinutes(5);
    /** Task definitions kept; past this, the cache starts over. */
    static final int MAX_ENTRIES = 1000;

    private static final Pattern REVISION = Pattern.compile(".*:\\d+$");

    private record Entry(Map<String, ContainerDefinition> containers, Instant until) {}

    private static final Logger log = LoggerFactory.getLogger(TaskDefinitions.class);

    private final Map<String, Entry> cache = new ConcurrentHashMap<>();
    /** Task definitions ECS would not describe: the warning is logged once. */
    private final Set<String> unreadable = ConcurrentHashMap.newKeySet();

    private final Clock clock;

    public TaskDefinitions(Clock clock) {
        this.clock = clock;
    }

    /**
     * Why the task definition's environment would override flags of the go-iiif command, if it
     * would: "go-iiif:3 sets IIIF_CONFIG_SOURCE (over -config-source) in container iiif…". When ECS
     * cannot be asked (no ecs:DescribeTaskDefinition, say), nothing can be told and this is empty.
     */
    public Optional<String> overrides(
            EcsClient ecs,
            String region,
            TaskTemplate template,
            ProcessCommand command,
            Optional<ReportLocation> reports) {
        Optional<Map<String, String>> env;
        try {
            env = environment(ecs, region, template.taskDefinition(), template.container());
        } catch (SdkException e) {
            if (unreadable.add(region + "/" + template.taskDefinition())) {
                log.warn(
                        "event=TaskDefinitionUnread taskDefinition={} error=\"{}\" note=\"its environment is not checked for"
                                + " variables that override go-iiif's flags\"",
                        template.taskDefinition(),
                        AwsErrors.describe(e));
            }
            return Optional.empty();
        }
        List<String> overridden =
                env.map(e -> command.overriddenFlags(e, reports)).orElse(List.of());
        if (overridden.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(template.taskDefinition() + " sets " + String.join(", ", overridden) + " in container "
                + template.container() + ", and go-iiif lets such a variable win over the flag it is given. Remove "
                + (overridden.size() == 1 ? "it" : "them")
                + " from the task definition and set the value where the flag comes from");
    }

    /**
     * Where a container of the task definition sends its output, if to CloudWatch Logs.
     *
     * @throws software.amazon.awssdk.core.exception.SdkException when ECS cannot be asked
     */
    public Optional<ContainerLogs> logs(EcsClient ecs, String region, String taskDefinition, String container) {
        return container(ecs, region, taskDefinition, container).flatMap(ContainerLogs::of);
    }

    /**
     * The environment a container of the task definition sets, or empty when the task definition
     * has no such container.
     *
     * @throws software.amazon.awssdk.core.exception.SdkException when ECS cannot be asked
     */
    public Optional<Map<String, String>> environment(
            EcsClient ecs, String region, String taskDefinition, String container) {
        return container(ecs, region, taskDefinition, container).map(definition -> {
            Map<String, String> env = new LinkedHashMap<>();
            definition.environment().forEach(kv -> env.put(kv.name(), kv.value()));
            return env;
        });
    }

    private Optional<ContainerDefinition> container(
            EcsClient ecs, String region, String taskDefinition, String container) {
        String key = region + "/" + taskDefinition;
        Instant now = clock.instant();
        Entry entry = cache.get(key);
        if (entry == null || now.isAfter(entry.until())) {
            Map<String, ContainerDefinition> containers = new LinkedHashMap<>();
            ecs.describeTaskDefinition(r -> r.taskDefinition(taskDefinition))
                    .taskDefinition()
                    .containerDefinitions()
                    .forEach(c -> containers.put(c.name(), c));
            boolean revision = REVISION.matcher(taskDefinition).matches();
            entry = new Entry(containers, revision ? Instant.MAX : now.plus(FAMILY_TTL));
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear();
            }
            cache.put(key, entry);
        }
        return Optional.ofNullable(entry.containers().get(container));
    }
}
