package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CapacityProviderStrategyItem(
        @Required
                @Size(min = 1, max = 255)
                @JsonPropertyDescription("Capacity provider name, such as FARGATE or FARGATE_SPOT.")
                String capacityProvider,
        @Min(0) @Max(1000) @JsonPropertyDescription("Relative share of tasks placed with this provider.")
                Integer weight,
        @Min(0) @Max(100000) @JsonPropertyDescription("Minimum number of tasks placed with this provider.")
                Integer base) {}
