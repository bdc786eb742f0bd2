package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record LambdaSpec(
        @Required @Size(min = 1, max = 170) @JsonPropertyDescription("Name or ARN of the function to invoke.")
                String functionName,
        @Default("RequestResponse")
                @JsonPropertyDescription(
                        "RequestResponse waits for the function's answer (and follows the ECS task it names);"
                                + " Event only hands the event to Lambda; DryRun checks parameters and permissions.")
                InvocationType invocationType,
        @Size(min = 1, max = 128) @JsonPropertyDescription("Version or alias to invoke.") String qualifier) {

    @Override
    public InvocationType invocationType() {
        return invocationType == null ? InvocationType.RequestResponse : invocationType;
    }
}
