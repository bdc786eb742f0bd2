package io.iiifaws.ecs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ecs.model.CapacityProviderStrategyItem;
import software.amazon.awssdk.services.ecs.model.LaunchType;

/** Where and how a go-iiif task runs: everything of a RunTask but the command and the labels. */
public record TaskTemplate(
        String cluster,
        String taskDefinition,
        String container,
        LaunchType launchType,
        String platformVersion,
        List<CapacityProviderStrategyItem> capacityProviderStrategy,
        List<String> subnets,
        List<String> securityGroups,
        boolean assignPublicIp,
        Map<String, String> tags) {

    public TaskTemplate {
        capacityProviderStrategy = capacityProviderStrategy == null ? List.of() : List.copyOf(capacityProviderStrategy);
        subnets = subnets == null ? List.of() : List.copyOf(subnets);
        securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /**
     * The RunTask for one command.
     *
     * @param environment set on the container; may be empty
     * @param moreTags added to the template's tags
     */
    public TaskRequest request(
            List<String> command,
            Map<String, String> environment,
            Map<String, String> moreTags,
            String startedBy,
            String clientToken) {
        Map<String, String> allTags = new LinkedHashMap<>(tags);
        allTags.putAll(moreTags);
        return new TaskRequest(this, command, environment, allTags, startedBy, clientToken);
    }
}
