package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(
        value = "!has(self.launchType) || !has(self.capacityProviderStrategy)",
        message = "set either launchType or capacityProviderStrategy, not both")
@ValidationRule(
        value = "has(self.cluster) == has(oldSelf.cluster) && (!has(self.cluster) || self.cluster == oldSelf.cluster)",
        message = "spec.task.cluster cannot be changed once the job exists")
public record TaskSpec(
        @Size(min = 1, max = 255) @JsonPropertyDescription("Name or ARN of the ECS cluster that runs the task.")
                String cluster,
        @Size(min = 1, max = 2048)
                @JsonPropertyDescription("Task definition that runs go-iiif: family, family:revision or full ARN.")
                String taskDefinition,
        @Size(min = 1, max = 255)
                @JsonPropertyDescription(
                        "Name of the container in the task definition that runs iiif-process. Its command is"
                                + " overridden, and its exit code alone decides whether a run succeeded.")
                String container,
        @JsonPropertyDescription(
                        "FARGATE, EC2 or EXTERNAL. Leave unset to use capacityProviderStrategy or the cluster's"
                                + " default capacity provider strategy.")
                LaunchType launchType,
        @JsonPropertyDescription("Fargate platform version, such as LATEST or 1.4.0.") String platformVersion,
        @Size(max = 20)
                @JsonPropertyDescription(
                        "Capacity providers to place the task with, such as FARGATE_SPOT. Excludes launchType.")
                List<CapacityProviderStrategyItem> capacityProviderStrategy,
        @JsonPropertyDescription(
                        "Tags added to every task, next to the iiif-aws.io/* tags naming the job, batch and attempt.")
                Map<String, String> tags) {

    @Override
    public Map<String, String> tags() {
        return tags == null ? Map.of() : tags;
    }

    @Override
    public List<CapacityProviderStrategyItem> capacityProviderStrategy() {
        return capacityProviderStrategy == null ? List.of() : capacityProviderStrategy;
    }
}
