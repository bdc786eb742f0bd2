package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A container of the task other than the go-iiif one: shown, but it does not decide success. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ContainerResult(
        @JsonPropertyDescription("Container name.") String name,
        @JsonPropertyDescription("Exit code, if the container ran.") Integer exitCode,
        @JsonPropertyDescription("Why the container stopped, as ECS reports it.") String reason) {}
