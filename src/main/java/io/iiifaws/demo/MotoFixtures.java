package io.iiifaws.demo;

import java.io.IOException;
import java.util.List;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.NetworkMode;

/** The AWS side a job needs, created in the emulator: a cluster, a task definition, a network. */
public final class MotoFixtures {
    private MotoFixtures() {}

    /** A default-VPC subnet and security group for the task's network interface. */
    public record Network(String subnet, String securityGroup) {}

    /**
     * Creates the cluster and registers a Fargate task definition (family, revision 1) whose
     * container runs go-iiif's image; returns the task definition ARN.
     */
    public static String ecs(EcsClient ecs, String cluster, String family, String container) {
        ecs.createCluster(r -> r.clusterName(cluster));
        return ecs.registerTaskDefinition(r -> r.family(family)
                        .networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE)
                        .cpu("1024")
                        .memory("2048")
                        .containerDefinitions(
                                // moto sizes tasks from container-level memory.
                                ContainerDefinition.builder()
                                        .name(container)
                                        .image("ghcr.io/go-iiif/go-iiif:latest")
                                        .memory(2048)
                                        .essential(true)
                                        .build()))
                .taskDefinition()
                .taskDefinitionArn();
    }

    public static Network network(AwsQuery ec2) throws IOException {
        List<String> subnets = ec2.defaultSubnets();
        if (subnets.isEmpty()) {
            throw new IOException("the emulator has no default subnet");
        }
        return new Network(subnets.get(0), ec2.defaultSecurityGroup());
    }
}
