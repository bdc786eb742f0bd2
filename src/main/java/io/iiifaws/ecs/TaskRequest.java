package io.iiifaws.ecs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskOverride;

/**
 * One go-iiif task to start: a template, the command, and what labels this run.
 *
 * @param environment set on the go-iiif container; the operator names the job, batch and attempt
 *     there, where ECS keeps them for as long as it knows the task (StopTask drops tags)
 * @param tags the template's tags and the run's own
 * @param startedBy null or at most 36 characters
 * @param clientToken null or at most 64 characters; ECS returns the same task for the same token
 */
public record TaskRequest(
        TaskTemplate template,
        List<String> command,
        Map<String, String> environment,
        Map<String, String> tags,
        String startedBy,
        String clientToken) {

    /** ECS's limit on the overrides of one RunTask, JSON punctuation included. */
    public static final int OVERRIDES_LIMIT = 8192;

    private static final ObjectMapper JSON = new ObjectMapper();

    public TaskRequest {
        command = List.copyOf(command);
        environment = environment == null ? Map.of() : new LinkedHashMap<>(environment);
        tags = tags == null ? Map.of() : new LinkedHashMap<>(tags);
    }

    public String cluster() {
        return template.cluster();
    }

    public RunTaskRequest toRunTaskRequest() {
        String container = template.container();
        var builder = RunTaskRequest.builder()
                .cluster(template.cluster())
                .taskDefinition(template.taskDefinition())
                .count(1)
                .overrides(TaskOverride.builder()
                        .containerOverrides(ContainerOverride.builder()
                                .name(container)
                                .command(command)
                                .environment(environment.entrySet().stream()
                                        .map(e -> KeyValuePair.builder()
                                                .name(e.getKey())
                                                .value(e.getValue())
                                                .build())
                                        .toList())
                                .build())
                        .build());
        if (template.launchType() != null) {
            builder.launchType(template.launchType());
        }
        if (!template.capacityProviderStrategy().isEmpty()) {
            builder.capacityProviderStrategy(template.capacityProviderStrategy());
        }
        if (template.platformVersion() != null) {
            builder.platformVersion(template.platformVersion());
        }
        if (!template.subnets().isEmpty()) {
            builder.networkConfiguration(NetworkConfiguration.builder()
                    .awsvpcConfiguration(AwsVpcConfiguration.builder()
                            .subnets(template.subnets())
                            .securityGroups(template.securityGroups())
                            .assignPublicIp(
                                    template.assignPublicIp() ? AssignPublicIp.ENABLED : AssignPublicIp.DISABLED)
                            .build())
                    .build());
        }
        if (!tags.isEmpty()) {
            builder.tags(tags.entrySet().stream()
                    .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
                    .toList());
        }
        if (startedBy != null) {
            builder.startedBy(startedBy);
        }
        if (clientToken != null) {
            builder.clientToken(clientToken);
        }
        return builder.build();
    }

    public static int overridesLength(String container, List<String> command, Map<String, String> environment) {
        ObjectNode override = JSON.createObjectNode();
        override.put("name", container);
        ArrayNode argv = override.putArray("command");
        command.forEach(argv::add);
        if (!environment.isEmpty()) {
            ArrayNode env = override.putArray("environment");
            environment.forEach((k, v) -> env.addObject().put("name", k).put("value", v));
        }
        ObjectNode overrides = JSON.createObjectNode();
        overrides.putArray("containerOverrides").add(override);
        try {
            return JSON.writeValueAsBytes(overrides).length;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Extra bytes one more argument adds to the overrides: the quoted string and a comma. */
    public static int argumentCost(String argument) {
        try {
            return JSON.writeValueAsBytes(argument).length + 1;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
