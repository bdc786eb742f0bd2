package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record InvocationStatus(
    @JsonPropertyDescription("When the function was invoked.") String invokedAt,
    @JsonPropertyDescription("Lambda's status code: 200, 202 or 204.") Integer statusCode,
    @JsonPropertyDescription("Handled or Unhandled when the function failed.") String functionError,
    @JsonPropertyDescription("The function version that ran.") String executedVersion,
    @JsonPropertyDescription("The ECS task the function's answer names, which the job then follows.")
        String taskArn,
    @JsonPropertyDescription("The function's answer or error, shortened.") String message) {}
