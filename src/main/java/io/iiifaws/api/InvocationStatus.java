package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record InvocationStatus(
        @JsonPropertyDescription("When the function was invoked.") String invokedAt,
        @JsonPropertyDescription("Lambda's status code: 200, 202 or 204.") Integer statusCode,
        @JsonPropertyDescription("Handled or Unhandled when the function failed.") String functionError,
        @JsonPropertyDescription("The function version that ran.") String executedVersion,
        @JsonPropertyDescription("The ECS task the function's answer names, which the job then follows.")
                String taskArn,
        @JsonPropertyDescription("The function's answer or error, shortened.") String message,
        @JsonPropertyDescription(
                        "Where the task's go-iiif writes its reports, as the function's answer says (its Reports); the images"
                                + " are checked there.")
                String reports,
        @JsonPropertyDescription("The URIs the function passed to go-iiif (its answer's URIs), when it names reports.")
                List<String> uris) {}
