package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * What the jobs of the selected namespaces may name. A list left out allows any value of its
 * field, an empty list none; {@code commands} left out allows no command but go-iiif's own.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IiifJobPolicySpec(
        @JsonPropertyDescription("The namespaces whose jobs this policy allows, by their labels (as a NetworkPolicy's"
                        + " namespaceSelector). Left out or {}: every namespace.")
                NamespaceSelector namespaceSelector,
        @Size(max = 64)
                @JsonPropertyDescription(
                        "Regions a job may run in (spec.region, or the operator's region), as patterns: * stands"
                                + " for any run of characters.")
                List<@Pattern(PATTERN) @Size(min = 1, max = 256) String> regions,
        @Size(max = 64)
                @JsonPropertyDescription(
                        "ECS clusters a job may name (spec.task.cluster), as patterns. A pattern matches the"
                                + " value as written; one that does not start with arn: also matches the name in an ARN.")
                List<@Pattern(PATTERN) @Size(min = 1, max = 2048) String> clusters,
        @Size(max = 64)
                @JsonPropertyDescription(
                        "Task definitions a job may name (spec.task.taskDefinition), as patterns. A pattern"
                                + " matches the value as written; one that does not start with arn: also matches the"
                                + " family, without its revision, of family:revision and of an ARN.")
                List<@Pattern(PATTERN) @Size(min = 1, max = 2048) String> taskDefinitions,
        @Size(max = 64) @JsonPropertyDescription("Containers a job may name (spec.task.container), as patterns.")
                List<@Pattern(PATTERN) @Size(min = 1, max = 256) String> containers,
        @Size(max = 64)
                @JsonPropertyDescription(
                        "Lambda functions a job may invoke (spec.lambda.functionName), as patterns. A pattern"
                                + " matches the value as written; one that does not start with arn: also matches the"
                                + " function's name in an ARN or partial ARN, without a qualifier.")
                List<@Pattern(PATTERN) @Size(min = 1, max = 2048) String> functions,
        @Size(max = 64)
                @JsonPropertyDescription(
                        "S3 buckets a job may name, as patterns: in spec.process.config, instructions and"
                                + " reports, spec.source.s3.bucket and spec.source.manifest.uri. With buckets set, a"
                                + " config or instructions file is a path in the container, a file:// URI or an s3://"
                                + " URI in one of them.")
                List<@Pattern(PATTERN) @Size(min = 1, max = 256) String> buckets,
        @Size(max = 64) @JsonPropertyDescription("Subnets a job may name (spec.network.subnets), as patterns.")
                List<@Pattern(PATTERN) @Size(min = 1, max = 256) String> subnets,
        @Size(max = 64)
                @JsonPropertyDescription("Security groups a job may name (spec.network.securityGroups), as patterns.")
                List<@Pattern(PATTERN) @Size(min = 1, max = 256) String> securityGroups,
        @Size(max = 3)
                @JsonPropertyDescription(
                        "Launch types a job may name (spec.task.launchType): FARGATE, EC2, EXTERNAL. A job that"
                                + " names none places its task with capacity providers.")
                List<LaunchType> launchTypes,
        @Size(max = 64)
                @JsonPropertyDescription(
                        "Capacity providers a job may name (spec.task.capacityProviderStrategy), as patterns.")
                List<@Pattern(PATTERN) @Size(min = 1, max = 256) String> capacityProviders,
        @Size(max = 16)
                @JsonPropertyDescription(
                        "Commands a job may give in spec.process.command, each the first words of it: [\"/bin/"
                                + "iiif-process\", \"-verbose\"] allows that command with anything after it. Left out,"
                                + " a job may not replace go-iiif's own command.")
                List<@Size(min = 1, max = 16) List<@Size(min = 1, max = 1024) String>> commands,
        @Min(1) @Max(1000) @JsonPropertyDescription("The most spec.parallelism a job may ask for.")
                Integer maxParallelism,
        @Min(1)
                @Max(100000000)
                @JsonPropertyDescription(
                        "The most images a job may process: spec.uris, or what its source lists (then the job"
                                + " fails once the listing passes it).")
                Integer maxUris,
        @JsonPropertyDescription(
                        "Run these jobs' AWS calls under another IAM role, such as one in the team's own account.")
                PolicyAws aws) {
    /** Characters a pattern may use: those of ARNs, names and IDs, and * for any run of them. */
    public static final String PATTERN = "^[A-Za-z0-9*._:/@=,-]+$";
}
