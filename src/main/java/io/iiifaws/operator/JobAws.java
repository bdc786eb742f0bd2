package io.iiifaws.operator;

import io.iiifaws.aws.AwsClients;

/**
 * The AWS clients of a job: the operator's own, or those of the role its IiifJobPolicy names,
 * as the job's last pass found it.
 */
final class JobAws {
    private final AwsClients operator;
    private final JobMemory memory;

    JobAws(AwsClients operator, JobMemory memory) {
        this.operator = operator;
        this.memory = memory;
    }

    AwsClients of(String jobUid) {
        return operator.as(role(jobUid));
    }

    /** Null for the operator's own identity. */
    AwsClients.Role role(String jobUid) {
        return memory.of(jobUid).role;
    }
}
