package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;
import java.util.Map;

/** A label selector of namespaces; its terms are ANDed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NamespaceSelector(
        @JsonPropertyDescription("Labels a namespace must have, with these values.") Map<String, String> matchLabels,
        @Size(max = 32) @JsonPropertyDescription("Requirements on a namespace's labels.")
                List<SelectorRequirement> matchExpressions) {

    /** A requirement on one label. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SelectorRequirement(
            @io.fabric8.generator.annotation.Required
                    @Size(min = 1, max = 317)
                    @JsonPropertyDescription("The label's key.")
                    String key,
            @io.fabric8.generator.annotation.Required
                    @io.fabric8.generator.annotation.Pattern("^(In|NotIn|Exists|DoesNotExist)$")
                    @JsonPropertyDescription(
                            "In and NotIn compare the label's value with values; Exists and DoesNotExist ask for the label.")
                    String operator,
            @Size(max = 64) @JsonPropertyDescription("Values for In and NotIn.") List<@Size(max = 63) String> values) {}
}
