package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record FailedImage(
        @JsonPropertyDescription("The image's URI, as spec.uris lists it.") String uri,
        @JsonPropertyDescription("Why it counts as failed.") String reason) {}
