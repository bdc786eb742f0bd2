package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record S3Source(
        @Required @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$") @JsonPropertyDescription("The bucket to list.")
                String bucket,
        @Size(max = 1024)
                @JsonPropertyDescription(
                        "The prefix to list, such as 'accessions/2024/'. Default: the whole bucket. Unless keepPrefix,"
                                + " go-iiif gets each key without it, relative to where its config's images source points.")
                String prefix,
        @Size(max = 50)
                @JsonPropertyDescription(
                        "File name endings to process, matched without regard to case, such as '.jpg' or '.tif'."
                                + " Default: the image types go-iiif reads.")
                List<@Size(min = 1, max = 32) String> suffixes,
        @Pattern("^[a-z]{2}(-[a-z]+)+-\\d+$") @JsonPropertyDescription("The bucket's region. Default: the job's.")
                String region,
        @JsonPropertyDescription("Pass each key to go-iiif whole, the prefix included.") Boolean keepPrefix) {

    @Override
    public String prefix() {
        return prefix == null ? "" : prefix;
    }

    @Override
    public List<String> suffixes() {
        return suffixes == null ? List.of() : suffixes;
    }

    @Override
    public Boolean keepPrefix() {
        return Boolean.TRUE.equals(keepPrefix);
    }
}
