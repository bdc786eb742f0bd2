package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
@ValidationRule(value = "has(self.s3) != has(self.manifest)", message = "spec.source names either s3 or manifest")
public record SourceSpec(
        @JsonPropertyDescription("Every image under an S3 prefix, listed when the job starts.") S3Source s3,
        @JsonPropertyDescription("The URIs an S3 object lists: a text file, one a line, or an S3 Inventory CSV.")
                ManifestSource manifest) {}
