package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record BatchSpec(
        @Min(1)
                @Max(100000)
                @JsonPropertyDescription(
                        "Most URIs one ECS task processes. Unset puts as many in a task as ECS's 8192-character"
                                + " limit on task overrides allows.")
                Integer size) {

    public static final BatchSpec DEFAULTS = new BatchSpec(null);
}
