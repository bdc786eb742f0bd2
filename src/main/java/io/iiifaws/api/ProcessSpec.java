package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ProcessSpec(
        @Default("v4")
                @JsonPropertyDescription(
                        "Flag style of the go-iiif in the container: v4 (go-iiif 4 to 8, default), v2 (go-iiif 2"
                                + " and 3) or v1 (go-iiif 1.x, as go-iiif-aws sent).")
                ProcessStyle style,
        @Size(min = 1, max = 1024)
                @JsonPropertyDescription(
                        "go-iiif config file: an absolute path in the container or a Go Cloud blob URI ending in"
                                + " the file name. Default /etc/go-iiif/config.json.")
                String config,
        @Size(min = 1, max = 1024)
                @JsonPropertyDescription(
                        "go-iiif instructions file, as config. Default /etc/go-iiif/instructions.json.")
                String instructions,
        @JsonPropertyDescription("Ask go-iiif to write its JSON processing report for each image.") Boolean report,
        @Size(min = 1, max = 255)
                @JsonPropertyDescription(
                        "File name of the report: -report-template for v4, -report-name for v2 and v1. Unset"
                                + " keeps go-iiif's default.")
                String reportName,
        @JsonPropertyDescription(
                        "Reduce each URI to its base name before passing it on, as go-iiif-aws did. Default false.")
                Boolean stripPaths,
        @Size(min = 1, max = 16)
                @JsonPropertyDescription("Command that replaces /bin/iiif-process; the flags and URIs follow it.")
                List<@Size(min = 1, max = 1024) String> command,
        @Size(max = 1024)
                @Pattern("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^?#]*)?(\\?region=[a-z]{2}(-[a-z]+)+-\\d+)?$")
                @JsonPropertyDescription(
                        "Where go-iiif writes its report of each image and the operator reads them to check that"
                                + " every image was processed: s3://bucket/prefix/, with ?region=R if the bucket is not in"
                                + " the job's region. Each run writes under prefix/NAMESPACE/NAME/UID/batch-B/attempt-A/."
                                + " Default: the operator's --reports. Style v4 only.")
                String reports,
        @Min(0)
                @Max(100000)
                @JsonPropertyDescription(
                        "Images go-iiif may fail to process (by its reports) before the job fails with reason"
                                + " ImagesFailed. Default 0.")
                Integer maxFailedImages) {

    public static final String DEFAULT_CONFIG = "/etc/go-iiif/config.json";
    public static final String DEFAULT_INSTRUCTIONS = "/etc/go-iiif/instructions.json";
    public static final List<String> DEFAULT_COMMAND = List.of("/bin/iiif-process");
    public static final ProcessSpec DEFAULTS = new ProcessSpec(null, null, null, null, null, null, null, null, null);

    @Override
    public ProcessStyle style() {
        return style == null ? ProcessStyle.v4 : style;
    }

    @Override
    public String config() {
        return config == null ? DEFAULT_CONFIG : config;
    }

    @Override
    public String instructions() {
        return instructions == null ? DEFAULT_INSTRUCTIONS : instructions;
    }

    @Override
    public Boolean report() {
        return Boolean.TRUE.equals(report);
    }

    @Override
    public Boolean stripPaths() {
        return Boolean.TRUE.equals(stripPaths);
    }

    @Override
    public Integer maxFailedImages() {
        return maxFailedImages == null ? 0 : maxFailedImages;
    }

    @Override
    public List<String> command() {
        return command == null || command.isEmpty() ? DEFAULT_COMMAND : command;
    }
}
