package io.iiifaws.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.iiifaws.api.IiifJob;
import io.iiifaws.api.IiifJobPolicy;
import io.iiifaws.testing.PolicyCases;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The operator's judge of IiifJobPolicies, on the cases the admission policy is held to as well. */
class JobPoliciesTest {
    static final KubernetesSerialization JSON = new KubernetesSerialization();
    static final JobPolicies.Context TEAM_A =
            new JobPolicies.Context("team-a", Map.of(PolicyCases.TEAM_LABEL, "a"), "eu-west-1", false);

    static IiifJob job(String changes) {
        return JSON.unmarshal(PolicyCases.changed(PolicyCases.JOB, changes), IiifJob.class);
    }

    static IiifJobPolicy policy(String name, String changes) {
        IiifJobPolicy policy = JSON.unmarshal(PolicyCases.changed(PolicyCases.POLICY, changes), IiifJobPolicy.class);
        policy.getMetadata().setName(name);
        return policy;
    }

    static JobPolicies.Verdict check(IiifJob job, IiifJobPolicy... policies) {
        return JobPolicies.check(job.getSpec(), withRegion(job), List.of(policies), Map.of());
    }

    static JobPolicies.Context withRegion(IiifJob job) {
        String region =
                job.getSpec().region() == null ? TEAM_A.region() : job.getSpec().region();
        return new JobPolicies.Context(TEAM_A.namespace(), TEAM_A.labels(), region, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.iiifaws.testing.PolicyCases#cases")
    void eachFieldIsAllowedOrDeniedNamingItAndThePolicy(
            String name, String jobChanges, String policyChanges, String denied) {
        JobPolicies.Verdict verdict = check(job(jobChanges), policy("team-a", policyChanges));

        if (denied.isEmpty()) {
            assertThat(verdict).isInstanceOf(JobPolicies.Allowed.class);
            assertThat(((JobPolicies.Allowed) verdict).by().orElseThrow().name())
                    .isEqualTo("team-a");
        } else if (denied.equals(PolicyCases.UNSELECTED)) {
            assertThat(((JobPolicies.Denied) verdict).message())
                    .isEqualTo("no IiifJobPolicy selects namespace team-a (the cluster has team-a)");
        } else {
            assertThat(verdict).isInstanceOf(JobPolicies.Denied.class);
            assertThat(((JobPolicies.Denied) verdict).message()).startsWith("IiifJobPolicy team-a: " + denied + " ");
        }
    }

    @Test
    void severalPoliciesAddUpWithTheFirstThatAllowsTheWholeJob() {
        IiifJob job = job("/spec/parallelism=50; /spec/task/cluster=iiif-big");
        IiifJobPolicy small = policy("a-small", "");
        IiifJobPolicy big = policy("b-big", "/spec/maxParallelism=100; /spec/clusters=[iiif-big]");
        IiifJobPolicy other = policy("c-other", "/spec/namespaceSelector={matchLabels: {\"iiif-aws.io/team\": b}}");

        assertThat(check(job, other, big, small)).isEqualTo(new JobPolicies.Allowed(java.util.Optional.of(big)));
        assertThat(check(job("/spec/parallelism=50"), small, big))
                .isEqualTo(new JobPolicies.Denied("IiifJobPolicy a-small: spec.parallelism 50 is over its"
                        + " maxParallelism 10; IiifJobPolicy b-big: spec.task.cluster \"iiif-team-a\" is not among"
                        + " its clusters [iiif-big]"));
    }

    @Test
    void withNoPolicyEveryJobRunsButACommandNeedsTheOperatorsLeave() {
        IiifJob shell = job("/spec/process/command=[/bin/sh, -c, x]");
        var refusing = new JobPolicies.Context("team-a", Map.of(), "eu-west-1", false);
        var leaving = new JobPolicies.Context("team-a", Map.of(), "eu-west-1", true);

        assertThat(JobPolicies.check(job("").getSpec(), refusing, List.of(), Map.of()))
                .isEqualTo(new JobPolicies.Allowed(java.util.Optional.empty()));
        assertThat(JobPolicies.check(shell.getSpec(), refusing, List.of(), Map.of()))
                .isEqualTo(new JobPolicies.Denied("spec.process.command: replacing go-iiif's command needs an"
                        + " IiifJobPolicy that lists it in commands, or the operator's --allow-process-command"));
        assertThat(JobPolicies.check(shell.getSpec(), leaving, List.of(), Map.of()))
                .isInstanceOf(JobPolicies.Allowed.class);
    }

    @Test
    void aPolicyThatCannotBeReadAllowsNothingAndIsNamed() {
        assertThat(JobPolicies.check(
                        job("").getSpec(), TEAM_A, List.of(), Map.of("broken", "spec.maxUris: not a number")))
                .isEqualTo(new JobPolicies.Denied("no IiifJobPolicy selects namespace team-a (the cluster has broken);"
                        + " IiifJobPolicy broken cannot be read (spec.maxUris: not a number)"));
    }

    @Test
    void aSourceThatListsMoreThanMaxUrisIsDenied() {
        IiifJobPolicy policy = policy("team-a", "");
        assertThat(JobPolicies.tooManyListed(policy, 5)).isEmpty();
        assertThat(JobPolicies.tooManyListed(policy, 6))
                .contains("IiifJobPolicy team-a: spec.source lists more than its maxUris 5 images (6 so far)");
    }
}
