package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A Kubernetes-style condition; the types follow a Job's: Complete, Failed, Suspended. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Condition(
        @JsonPropertyDescription("Complete, Failed, FailureTarget or Suspended.") String type,
        @JsonPropertyDescription("True, False or Unknown.") String status,
        @JsonPropertyDescription("One CamelCase word for the cause, such as BackoffLimitExceeded.") String reason,
        @JsonPropertyDescription("What happened, for people.") String message,
        @JsonPropertyDescription("When status last changed.") String lastTransitionTime,
        @JsonPropertyDescription("metadata.generation the condition was set for.") Long observedGeneration) {

    public static final String COMPLETE = "Complete";
    public static final String FAILED = "Failed";
    public static final String FAILURE_TARGET = "FailureTarget";
    public static final String SUSPENDED = "Suspended";
    /** spec.source jobs: True while the source is being listed into the snapshot. */
    public static final String LISTING = "Listing";

    @JsonIgnore
    public boolean isTrue() {
        return "True".equals(status);
    }
}
