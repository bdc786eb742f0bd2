package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What the operator found of a policy. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record IiifJobPolicyStatus(
        @JsonPropertyDescription(
                        "Namespaces that this policy and another one select. A job there is allowed when any of"
                                + " the policies allows it, which only the operator can add up: the admission policy"
                                + " leaves such jobs to it.")
                List<String> sharedNamespaces,
        @JsonPropertyDescription("The metadata.generation of the policy that sharedNamespaces was found for.")
                Long observedGeneration) {
    @Override
    public List<String> sharedNamespaces() {
        return sharedNamespaces == null ? List.of() : sharedNamespaces;
    }
}
