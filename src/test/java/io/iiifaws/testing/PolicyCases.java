package io.iiifaws.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * One table of IiifJobPolicy cases for both of the policies' judges: the operator's
 * (JobPoliciesTest) and the chart's ValidatingAdmissionPolicy on a real API server
 * (PolicyAdmissionTest). Each case changes the base job or the base policy, which allows the base
 * job, and names the field the policy then denies, or nothing.
 */
public final class PolicyCases {
    private PolicyCases() {}

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The labels of the namespace the jobs are in. */
    public static final String TEAM_LABEL = "iiif-aws.io/team";

    public static final String JOB =
            """
      apiVersion: iiif-aws.io/v1alpha1
      kind: IiifJob
      metadata: {name: j}
      spec:
        uris: [a.jpg, b.jpg]
        region: eu-west-1
        task: {cluster: iiif-team-a, taskDefinition: "go-iiif-team-a:3", container: iiif, launchType: FARGATE}
        network: {subnets: [subnet-0123456789abcdef0], securityGroups: [sg-0123456789abcdef0]}
        process: {style: v4, reports: "s3://team-a-reports/iiif/", config: "s3://team-a-config/config.json"}
        parallelism: 2
      """;

    public static final String POLICY =
            """
      apiVersion: iiif-aws.io/v1alpha1
      kind: IiifJobPolicy
      metadata: {name: team-a}
      spec:
        namespaceSelector: {matchLabels: {"iiif-aws.io/team": a}}
        regions: [eu-west-*]
        clusters: [iiif-team-a]
        taskDefinitions: [go-iiif-team-a]
        containers: [iiif]
        functions: [iiif-team-a-*]
        buckets: [team-a-*]
        subnets: [subnet-0123456789abcdef0]
        securityGroups: ["sg-0123*"]
        launchTypes: [FARGATE]
        capacityProviders: [FARGATE_SPOT]
        commands: [["/usr/local/bin/iiif-process"]]
        maxParallelism: 10
        maxUris: 5
      """;

    /** The field the case's policy denies when it does not select the namespace at all. */
    public static final String UNSELECTED = "(unselected)";

    /** name, changes of the job, changes of the policy, the field denied ("" for none). */
    public static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("the base job", "", "", ""),
                Arguments.of("another region", "/spec/region=us-east-1", "", "spec.region"),
                Arguments.of(
                        "a cluster ARN with an allowed name",
                        "/spec/task/cluster=arn:aws:ecs:eu-west-1:111122223333:cluster/iiif-team-a",
                        "",
                        ""),
                Arguments.of("another cluster", "/spec/task/cluster=iiif-team-b", "", "spec.task.cluster"),
                Arguments.of(
                        "an ARN pattern does not match a name",
                        "",
                        "/spec/clusters=[\"arn:aws:ecs:*:111122223333:cluster/*\"]",
                        "spec.task.cluster"),
                Arguments.of(
                        "an ARN pattern matches an ARN",
                        "/spec/task/cluster=arn:aws:ecs:eu-west-1:111122223333:cluster/any",
                        "/spec/clusters=[\"arn:aws:ecs:*:111122223333:cluster/*\"]",
                        ""),
                Arguments.of(
                        "a task definition ARN of an allowed family",
                        "/spec/task/taskDefinition=arn:aws:ecs:eu-west-1:111122223333:task-definition/go-iiif-team-a:7",
                        "",
                        ""),
                Arguments.of(
                        "another family", "/spec/task/taskDefinition=go-iiif-team-b:1", "", "spec.task.taskDefinition"),
                Arguments.of(
                        "a family pattern",
                        "/spec/task/taskDefinition=go-iiif-team-a-large",
                        "/spec/taskDefinitions=[\"go-iiif-team-a*\"]",
                        ""),
                Arguments.of("another container", "/spec/task/container=sidecar", "", "spec.task.container"),
                Arguments.of("another launch type", "/spec/task/launchType=EC2", "", "spec.task.launchType"),
                Arguments.of(
                        "an allowed capacity provider",
                        "/spec/task/launchType=null; /spec/task/capacityProviderStrategy=[{capacityProvider: FARGATE_SPOT}]",
                        "",
                        ""),
                Arguments.of(
                        "another capacity provider",
                        "/spec/task/launchType=null; /spec/task/capacityProviderStrategy=[{capacityProvider: FARGATE}]",
                        "",
                        "spec.task.capacityProviderStrategy"),
                Arguments.of(
                        "another subnet",
                        "/spec/network/subnets=[subnet-0123456789abcdef0, subnet-0fedcba9876543210]",
                        "",
                        "spec.network.subnets"),
                Arguments.of(
                        "another security group",
                        "/spec/network/securityGroups=[sg-0999999999999999f]",
                        "",
                        "spec.network.securityGroups"),
                Arguments.of(
                        "any subnet when the list is left out",
                        "/spec/network/subnets=[subnet-0fedcba9876543210]",
                        "/spec/subnets=null",
                        ""),
                Arguments.of("no subnet when the list is empty", "", "/spec/subnets=[]", "spec.network.subnets"),
                Arguments.of(
                        "an allowed function",
                        "/spec/mode=Invoke; /spec/lambda={functionName: iiif-team-a-process}",
                        "",
                        ""),
                Arguments.of(
                        "an allowed function's ARN with a qualifier",
                        "/spec/mode=Invoke; /spec/lambda={functionName: \"arn:aws:lambda:eu-west-1:111122223333:function:iiif-team-a-process:live\"}",
                        "",
                        ""),
                Arguments.of(
                        "another function",
                        "/spec/mode=Invoke; /spec/lambda={functionName: \"111122223333:function:iiif-team-b\"}",
                        "",
                        "spec.lambda.functionName"),
                Arguments.of(
                        "a config in another bucket",
                        "/spec/process/config=s3://team-b-config/config.json",
                        "",
                        "spec.process.config"),
                Arguments.of("a config in the container", "/spec/process/config=/etc/go-iiif/config.json", "", ""),
                Arguments.of(
                        "instructions in another blob store",
                        "/spec/process/instructions=gs://team-a-config/instructions.json",
                        "",
                        "spec.process.instructions"),
                Arguments.of("instructions as a file URI", "/spec/process/instructions=file:///etc/i.json", "", ""),
                Arguments.of(
                        "reports in another bucket",
                        "/spec/process/reports=s3://team-b-reports/iiif/",
                        "",
                        "spec.process.reports"),
                Arguments.of(
                        "a prefix in another bucket",
                        "/spec/uris=null; /spec/source={s3: {bucket: team-b-images}}",
                        "",
                        "spec.source.s3.bucket"),
                Arguments.of(
                        "a manifest in an allowed bucket",
                        "/spec/uris=null; /spec/source={manifest: {uri: \"s3://team-a-lists/all.txt\"}}",
                        "",
                        ""),
                Arguments.of(
                        "a manifest in another bucket",
                        "/spec/uris=null; /spec/source={manifest: {uri: \"s3://museum/all.txt\"}}",
                        "",
                        "spec.source.manifest.uri"),
                Arguments.of(
                        "a shell for a command",
                        "/spec/process/command=[/bin/sh, -c, \"aws s3 rm --recursive s3://museum\"]",
                        "",
                        "spec.process.command"),
                Arguments.of(
                        "a command the policy lists, with more words",
                        "/spec/process/command=[/usr/local/bin/iiif-process, -verbose]",
                        "",
                        ""),
                Arguments.of(
                        "a command shorter than the policy's",
                        "/spec/process/command=[/usr/local/bin]",
                        "/spec/commands=[[/usr/local/bin, iiif-process]]",
                        "spec.process.command"),
                Arguments.of(
                        "go-iiif's own command when the policy lists none",
                        "/spec/process/command=[/bin/iiif-process]",
                        "/spec/commands=null",
                        ""),
                Arguments.of(
                        "any command when the policy lists none",
                        "/spec/process/command=[/usr/local/bin/iiif-process]",
                        "/spec/commands=null",
                        "spec.process.command"),
                Arguments.of("the most parallelism", "/spec/parallelism=10", "", ""),
                Arguments.of("more parallelism", "/spec/parallelism=11", "", "spec.parallelism"),
                Arguments.of("more URIs", "/spec/uris=[a, b, c, d, e, f]", "", "spec.uris"),
                Arguments.of(
                        "a selector by expression",
                        "/spec/parallelism=11",
                        "/spec/namespaceSelector={matchExpressions: [{key: \"iiif-aws.io/team\", operator: In, values: [a, b]}]}",
                        "spec.parallelism"),
                Arguments.of(
                        "a selector by absence",
                        "/spec/parallelism=11",
                        "/spec/namespaceSelector={matchExpressions: [{key: \"iiif-aws.io/team\", operator: DoesNotExist}]}",
                        UNSELECTED),
                Arguments.of(
                        "a selector of another team",
                        "/spec/parallelism=11",
                        "/spec/namespaceSelector={matchLabels: {\"iiif-aws.io/team\": b}}",
                        UNSELECTED),
                Arguments.of(
                        "a selector of every namespace",
                        "/spec/parallelism=11",
                        "/spec/namespaceSelector={}",
                        "spec.parallelism"));
    }

    /** The manifest with the changes made: "POINTER=YAML; …", where null removes the field. */
    public static String changed(String yaml, String changes) {
        try {
            JsonNode document = YAML.readTree(yaml);
            for (String change : changes.split("; ")) {
                if (change.isBlank()) {
                    continue;
                }
                int equals = change.indexOf('=');
                String pointer = change.substring(0, equals);
                String value = change.substring(equals + 1);
                int slash = pointer.lastIndexOf('/');
                ObjectNode parent = (ObjectNode) document;
                for (String part : pointer.substring(1, slash).split("/")) {
                    parent = parent.has(part) ? (ObjectNode) parent.get(part) : parent.putObject(part);
                }
                String field = pointer.substring(slash + 1);
                if (value.equals("null")) {
                    parent.remove(field);
                } else {
                    parent.set(field, YAML.readTree(value));
                }
            }
            return YAML.writeValueAsString(document);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A policy of this name that selects namespaces labelled iiif-aws.io/team=TEAM and allows what spec says. */
    public static io.iiifaws.api.IiifJobPolicy policy(String name, String team, Map<String, Object> spec) {
        Map<String, Object> all = new java.util.LinkedHashMap<>(spec);
        all.put("namespaceSelector", Map.of("matchLabels", Map.of(TEAM_LABEL, team)));
        var policy = YAML.convertValue(
                Map.of("metadata", Map.of("name", name), "spec", all), io.iiifaws.api.IiifJobPolicy.class);
        return policy;
    }
}
