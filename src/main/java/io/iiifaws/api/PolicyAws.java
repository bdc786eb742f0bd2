package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** The AWS identity the jobs of a policy's namespaces run under. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PolicyAws(
        @Required
                @Pattern("^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$")
                @JsonPropertyDescription(
                        "IAM role the operator assumes (sts:AssumeRole) to make the ECS, Lambda, S3 and CloudWatch"
                                + " Logs calls of these jobs, so that they run in the team's own account: arn:aws:iam::"
                                + "ACCOUNT:role/NAME. The role's trust policy must let the operator's role assume it.")
                String roleArn,
        @Size(min = 2, max = 1224)
                @Pattern("^[\\w+=,.@:/-]+$")
                @JsonPropertyDescription(
                        "The external ID the role's trust policy asks for (sts:ExternalId), if it asks for one.")
                String externalId) {}
