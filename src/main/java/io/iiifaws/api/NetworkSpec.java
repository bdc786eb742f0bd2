package io.iiifaws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record NetworkSpec(
        @Size(max = 16) @JsonPropertyDescription("Subnet IDs (subnet-…) for the task's network interface.")
                List<@Pattern("^subnet-[0-9a-f]{8,17}$") String> subnets,
        @Size(max = 5) @JsonPropertyDescription("Security group IDs (sg-…) for the task's network interface.")
                List<@Pattern("^sg-[0-9a-f]{8,17}$") String> securityGroups,
        @JsonPropertyDescription(
                        "ENABLED gives the task a public IP, which Fargate tasks in public subnets need to pull"
                                + " images and reach S3. Default DISABLED.")
                AssignPublicIp assignPublicIp) {

    public static final NetworkSpec NONE = new NetworkSpec(null, null, null);

    @Override
    public List<String> subnets() {
        return subnets == null ? List.of() : subnets;
    }

    @Override
    public List<String> securityGroups() {
        return securityGroups == null ? List.of() : securityGroups;
    }

    @Override
    public AssignPublicIp assignPublicIp() {
        return assignPublicIp == null ? AssignPublicIp.DISABLED : assignPublicIp;
    }
}
