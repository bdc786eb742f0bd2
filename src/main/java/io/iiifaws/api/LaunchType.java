package io.iiifaws.api;

public enum LaunchType {
    FARGATE,
    EC2,
    EXTERNAL
}
