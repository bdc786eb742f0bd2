package io.iiifaws.api;

public enum AssignPublicIp {
    ENABLED,
    DISABLED
}
