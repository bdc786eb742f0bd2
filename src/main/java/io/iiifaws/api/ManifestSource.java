package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ManifestSource(
        @Required
                @Pattern("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+")
                @JsonPropertyDescription("The manifest object, s3://bucket/key.")
                String uri,
        @Default("Lines")
                @JsonPropertyDescription(
                        "Lines: one URI a line, as go-iiif takes it; blank lines and lines starting with '#' are"
                                + " skipped. Inventory: an S3 Inventory CSV report (or a CSV of bucket and key),"
                                + " whose second column is the URL-encoded key.")
                ManifestFormat format,
        @Pattern("^[a-z]{2}(-[a-z]+)+-\\d+$") @JsonPropertyDescription("The manifest's region. Default: the job's.")
                String region) {

    @Override
    public ManifestFormat format() {
        return format == null ? ManifestFormat.Lines : format;
    }
}
