package io.iiifaws.ecs;

/** One container of an ECS task as DescribeTasks reports it. */
public record ContainerState(String name, String lastStatus, Integer exitCode, String reason) {}
